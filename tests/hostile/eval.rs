//! Evaluator and parser budgets: inputs small on disk that expand without bound.

use crate::harness::Scratch;

#[test]
fn yaml_alias_expansion_is_bounded() {
    let scratch = Scratch::new("yaml-laughs");
    let mut text = String::from("a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
    for level in 1..30 {
        let previous = format!("*a{}", level - 1);
        text.push_str(&format!(
            "a{level}: &a{level} [{}]\n",
            [previous.as_str(); 9].join(", ")
        ));
    }
    text.push_str("kind: Pod\napiVersion: v1\nmetadata:\n  name: laughs\n");
    scratch.write("laughs.yaml", text);
    let run = scratch.check(&[".", "--format", "json"]);
    let json = run.json();
    assert_eq!(run.code, 2, "{json}");
    assert_eq!(json["errors"][0]["rule"], "AG001", "{json}");
    assert_eq!(json["errors"][0]["path"], "laughs.yaml", "{json}");
}
