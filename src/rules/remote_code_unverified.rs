use super::{catalogue, Context, Rule};
use crate::build::{instruction_commands, words_loc};
use crate::finding::Finding;
use crate::source::Loc;

pub const RULE: Rule = Rule {
    meta: &catalogue::BLD006,
    check,
};

const DOWNLOADERS: &[&str] = &["curl", "wget"];
const SHELLS: &[&str] = &[
    "sh", "bash", "zsh", "dash", "ash", "ksh", "python", "python2", "python3", "perl",
];

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for dockerfile in &ctx.model.dockerfiles {
        for stage in &dockerfile.stages {
            for instruction in dockerfile.stage_instructions(stage) {
                match instruction.keyword {
                    "ADD" => {
                        let verified = instruction
                            .flag("checksum")
                            .is_some_and(|c| c.starts_with("sha256:"));
                        let sources = &instruction.args[..instruction.args.len().saturating_sub(1)];
                        for source in sources {
                            let lower = source.text.to_ascii_lowercase();
                            if verified
                                || !(lower.starts_with("http://") || lower.starts_with("https://"))
                            {
                                continue;
                            }
                            out.push(RULE.on_address(
                                &stage.address,
                                source.loc,
                                format!(
                                    "`ADD {}` downloads a file without `--checksum=sha256:`: whatever the server returns goes into the image",
                                    crate::build::printable(&source.text)
                                ),
                                "unverified download".to_string(),
                                "Add `--checksum=sha256:<digest>` to the ADD (Dockerfile syntax 1.6+), or download in a RUN and check the file with `sha256sum -c` before using it".to_string(),
                            ));
                        }
                    }
                    "RUN" => {
                        let commands = instruction_commands(instruction);
                        for (i, command) in commands.iter().enumerate() {
                            if !command.piped
                                || !command.program().is_some_and(|p| DOWNLOADERS.contains(&p))
                            {
                                continue;
                            }
                            // Follow the pipe to the command that reads the download.
                            let mut j = i;
                            let shell = loop {
                                if !commands[j].piped {
                                    break None;
                                }
                                j += 1;
                                let Some(next) = commands.get(j) else {
                                    break None;
                                };
                                // `python3 -c '...'` / `perl -e '...'` run their argument and
                                // read the download as data.
                                let code_in_argument = next.args().any(|a| a == "-c" || a == "-e");
                                if next.program().is_some_and(|p| SHELLS.contains(&p))
                                    && !code_in_argument
                                {
                                    break Some(next);
                                }
                            };
                            let Some(shell) = shell else {
                                continue;
                            };
                            let (first, last) = (&command.argv()[0], &shell.argv()[0]);
                            let at: Loc = Loc {
                                file: instruction.at.file,
                                ..words_loc(0, first, last)
                            };
                            out.push(RULE.on_address(
                                &stage.address,
                                at,
                                format!(
                                    "`{}` pipes a download into `{}`: the script runs unverified, as whoever controls the server (or the network) wrote it",
                                    command.program().unwrap_or("curl"),
                                    shell.program().unwrap_or("sh")
                                ),
                                "download piped into a shell".to_string(),
                                "Download to a file, verify it (`echo \"<sha256>  install.sh\" | sha256sum -c`), then run it; better, install a signed package or copy the tool from a pinned image (`COPY --from=image@sha256:...`)".to_string(),
                            ));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}
