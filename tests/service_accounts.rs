//! K8S015 end to end: a pod whose ServiceAccount a RoleBinding or ClusterRoleBinding names
//! needs its token and is not reported; an unbound one is (where: marked in the fixture,
//! tests/markers.rs).

mod common;

use common::{check, findings, named, unplaced};

#[test]
fn bound_service_accounts_keep_their_token() {
    let (code, json) = check(&["testdata/k8s015", "--select", "K8S015"]);
    assert_eq!(code, 1, "{json}");
    let file = "testdata/k8s015/controllers.yaml";
    assert_eq!(
        unplaced(&json, |_| true),
        [named("K8S015", file, "Deployment/ops/web")].into(),
        "{json}"
    );
}

#[test]
fn a_bound_account_alone_is_clean() {
    // The same controllers without the unbound Deployment: exit code 0.
    let dir = std::env::temp_dir().join(format!("aksguard-k8s015-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/k8s015/controllers.yaml"),
    )
    .unwrap();
    let bound = text.split("# No binding names this one").next().unwrap();
    std::fs::write(dir.join("controllers.yaml"), bound).unwrap();
    let (code, json) = check(&[dir.to_str().unwrap(), "--select", "K8S015"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 0, "{json}");
    assert!(findings(&json).is_empty(), "{json}");
}
