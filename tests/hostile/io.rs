//! Files read and text printed: what aksguard opens, and what reaches a terminal or CI log.

use crate::harness::Scratch;

#[test]
fn a_directory_symlink_loop_ends() {
    let scratch = Scratch::new("symlink-loop");
    scratch.write(
        "main.tf",
        "resource \"azurerm_kubernetes_cluster\" \"a\" {\n  local_account_disabled = false\n}\n",
    );
    scratch.symlink("loop/again", "..");
    let run = scratch.check(&[".", "--format", "json", "--select", "AKS005"]);
    let json = run.json();
    assert_eq!(run.code, 1, "{json}");
    let finding = &json["findings"][0];
    assert_eq!(
        (
            &finding["rule"],
            &finding["path"],
            &finding["line"],
            &finding["column"]
        ),
        (&"AKS005".into(), &"main.tf".into(), &2.into(), &3.into()),
        "{json}"
    );
}
