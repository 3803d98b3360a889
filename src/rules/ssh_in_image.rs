use super::{catalogue, Context, Rule};
use crate::build::shell::{Command, Word};
use crate::build::{instruction_commands, words_loc};
use crate::finding::Finding;
use crate::source::Loc;

pub const RULE: Rule = Rule {
    meta: &catalogue::BLD002,
    check,
};

const PACKAGE_MANAGERS: &[&str] = &[
    "apt", "apt-get", "aptitude", "apk", "yum", "dnf", "tdnf", "microdnf", "zypper",
];

/// Does `EXPOSE` word `port` (`22`, `22/tcp`, `20-25/udp`) include port 22?
fn exposes_22(port: &str) -> bool {
    let number = port.split('/').next().unwrap_or(port);
    match number.split_once('-') {
        Some((low, high)) => match (low.parse::<u32>(), high.parse::<u32>()) {
            (Ok(low), Ok(high)) => (low..=high).contains(&22),
            _ => false,
        },
        None => number == "22",
    }
}

/// The package word that installs an SSH server, for a package-manager command.
fn ssh_package(command: &Command) -> Option<&Word> {
    let program = command.program()?;
    if !PACKAGE_MANAGERS.contains(&program) {
        return None;
    }
    let mut words = command
        .argv()
        .iter()
        .skip(1)
        .filter(|w| !w.text.starts_with('-'));
    let sub = words.next()?;
    if !matches!(sub.text.as_str(), "install" | "add" | "in") {
        return None;
    }
    words.find(|Word { text: word, .. }| {
        // `openssh-server=1:9.6p1-3`, `openssh-server~9`, `dropbear-2022.83`.
        let name = word.split(['=', '~', '>', '<']).next().unwrap_or(word);
        name.starts_with("openssh-server")
            || name.starts_with("dropbear")
            || (program == "apk" && name == "openssh")
    })
}

/// The words that start an SSH daemon: `sshd`, `service ssh start`, `systemctl enable sshd`,
/// `/etc/init.d/ssh start`.
fn starts_sshd(command: &Command) -> Option<Loc> {
    let argv = command.argv();
    let program = command.program()?;
    let args: Vec<&str> = command.args().collect();
    let is_ssh = |w: &str| matches!(w, "ssh" | "sshd" | "ssh.service" | "sshd.service");
    let starts = match program {
        "sshd" | "dropbear" => true,
        "service" => args.first().is_some_and(|w| is_ssh(w)) && args.contains(&"start"),
        "systemctl" => {
            args.iter().any(|w| matches!(*w, "start" | "enable")) && args.iter().any(|w| is_ssh(w))
        }
        "ssh" | "sshd.sh" => argv[0].text.contains("init.d") && args.contains(&"start"),
        _ => false,
    };
    starts.then(|| words_loc(0, &argv[0], argv.last().unwrap_or(&argv[0])))
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let help = "Do not run SSH in images: debug with `kubectl exec` or `kubectl debug` (through Entra ID, Kubernetes RBAC and the audit log) and copy files with `kubectl cp`";
    for dockerfile in &ctx.model.dockerfiles {
        for stage in &dockerfile.stages {
            let report = |out: &mut Vec<Finding>, at: Loc, message: String, label: &str| {
                out.push(RULE.on_address(
                    &stage.address,
                    at,
                    message,
                    label.to_string(),
                    help.to_string(),
                ));
            };
            for instruction in dockerfile.stage_instructions(stage) {
                match instruction.keyword {
                    "EXPOSE" => {
                        for word in &instruction.args {
                            if exposes_22(&word.text) {
                                report(
                                    out,
                                    word.loc,
                                    format!("The image exposes port 22 (`EXPOSE {}`): an SSH daemon in a container bypasses Kubernetes authentication and audit", crate::build::printable(&word.text)),
                                    "SSH port",
                                );
                            }
                        }
                    }
                    "RUN" | "CMD" | "ENTRYPOINT" => {
                        for command in instruction_commands(instruction) {
                            let file = instruction.at.file;
                            if let Some(package) = ssh_package(&command) {
                                report(
                                    out,
                                    Loc::new(file, package.start, package.end),
                                    format!(
                                        "`{}` installs an SSH server (`{}`) into the image",
                                        instruction.keyword,
                                        crate::build::printable(&package.text)
                                    ),
                                    "SSH server package",
                                );
                            } else if let Some(at) = starts_sshd(&command) {
                                report(
                                    out,
                                    Loc { file, ..at },
                                    format!(
                                        "`{}` starts an SSH daemon in the container",
                                        instruction.keyword
                                    ),
                                    "starts sshd",
                                );
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_packages_and_daemons() {
        assert!(exposes_22("22/tcp") && exposes_22("20-25") && !exposes_22("2222"));
        let c = &crate::build::shell::commands(
            "apt-get -y install --no-install-recommends openssh-server=1:9.6",
        )[0];
        assert_eq!(
            ssh_package(c).map(|w| w.text.as_str()),
            Some("openssh-server=1:9.6")
        );
        let c = &crate::build::shell::commands("apk add --no-cache openssh")[0];
        assert!(ssh_package(c).is_some());
        let c = &crate::build::shell::commands("apt-get install -y openssh-client")[0];
        assert!(ssh_package(c).is_none());
        for script in [
            "/usr/sbin/sshd -D",
            "service ssh start",
            "systemctl enable sshd",
        ] {
            assert!(
                starts_sshd(&crate::build::shell::commands(script)[0]).is_some(),
                "{script}"
            );
        }
        assert!(starts_sshd(&crate::build::shell::commands("ssh-keygen -A")[0]).is_none());
    }
}
