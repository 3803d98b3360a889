//! Kubernetes objects from manifests and rendered Helm: workloads with their pod spec and
//! containers, and the objects the workload rules look across (Services, NetworkPolicies,
//! Secrets, ServiceAccounts, RBAC, Namespaces).

use super::raw::RawResource;
use crate::source::{FileId, Loc};
use crate::value::{Entry, Kind, Value};
use std::sync::Arc;

/// Workload kinds and where their pod spec lives.
const POD_SPEC_PATHS: &[(&str, &[&str])] = &[
    ("Pod", &["spec"]),
    ("Deployment", &["spec", "template", "spec"]),
    ("StatefulSet", &["spec", "template", "spec"]),
    ("DaemonSet", &["spec", "template", "spec"]),
    ("ReplicaSet", &["spec", "template", "spec"]),
    ("ReplicationController", &["spec", "template", "spec"]),
    ("Job", &["spec", "template", "spec"]),
    (
        "CronJob",
        &["spec", "jobTemplate", "spec", "template", "spec"],
    ),
];

const GENERIC_POD_PATHS: &[&[&str]] = &[
    &["spec", "template", "spec"],
    &["spec", "jobTemplate", "spec", "template", "spec"],
];

/// Any Kubernetes object of the scan.
#[derive(Debug)]
pub struct Object {
    pub kind: String,
    pub address: String,
    pub namespace: String,
    pub name: String,
    pub file: FileId,
    /// The `kind` entry: where object-level findings are anchored.
    pub header: Loc,
    pub source: Option<String>,
    pub zone: usize,
    /// Shared with the object's workload and containers, which are places in it (a
    /// 5,000-zone scan has tens of thousands of pod specs: copying each took more time and
    /// memory than parsing it).
    pub body: Arc<Value>,
}

impl Object {
    pub fn get(&self, path: &[&str]) -> Option<&Value> {
        get_path(&self.body, path)
    }
    pub fn entry(&self, path: &[&str]) -> Option<&Entry> {
        entry_path(&self.body, path)
    }
    pub fn annotations(&self) -> &[Entry] {
        self.get(&["metadata", "annotations"])
            .and_then(Value::as_map)
            .unwrap_or(&[])
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

/// What a place in an object's body stands for when it is not there (never, for a place
/// found while lowering: the body does not change after).
static NULL: Value = Value {
    kind: Kind::Null,
    loc: None,
    origin: None,
    referent: None,
};
static NO_METADATA: Value = Value {
    kind: Kind::Map(Vec::new()),
    loc: None,
    origin: None,
    referent: None,
};

#[derive(Debug)]
pub struct Container {
    pub name: String,
    /// The container's `name` entry: where container-level findings about absent fields sit.
    pub anchor: Loc,
    pub kind: ContainerKind,
    body: Arc<Value>,
    pod_path: &'static [&'static str],
    /// `containers`, `initContainers` or `ephemeralContainers`.
    list: &'static str,
    index: usize,
}

impl Container {
    /// The container's own value (its map in the pod spec).
    pub fn value(&self) -> &Value {
        get_path(&self.body, self.pod_path)
            .and_then(|pod| pod.get(self.list))
            .and_then(Value::as_list)
            .and_then(|items| items.get(self.index))
            .unwrap_or(&NULL)
    }

    pub fn security(&self, field: &str) -> Option<&Entry> {
        entry_path(self.value(), &["securityContext", field])
    }
}

#[derive(Debug)]
pub struct Workload {
    /// Index into `Model::objects`.
    pub object: usize,
    body: Arc<Value>,
    /// Where the pod spec is in the object's body.
    pod_path: &'static [&'static str],
    pub containers: Vec<Container>,
}

impl Workload {
    /// The pod spec (a map).
    pub fn pod(&self) -> &Value {
        get_path(&self.body, self.pod_path).unwrap_or(&NULL)
    }
    /// Labels and annotations of the pod (template), where pod-level settings live: the
    /// `metadata` beside the pod spec.
    pub fn pod_metadata(&self) -> &Value {
        let parent = &self.pod_path[..self.pod_path.len() - 1];
        get_path(&self.body, parent)
            .and_then(|p| p.get("metadata"))
            .unwrap_or(&NO_METADATA)
    }
    pub fn pod_entry(&self, path: &[&str]) -> Option<&Entry> {
        entry_path(self.pod(), path)
    }
    pub fn pod_labels(&self) -> &[Entry] {
        self.pod_metadata()
            .get("labels")
            .and_then(Value::as_map)
            .unwrap_or(&[])
    }
    /// Pod annotations; for a bare Pod these are the object's own.
    pub fn pod_annotations(&self) -> &[Entry] {
        self.pod_metadata()
            .get("annotations")
            .and_then(Value::as_map)
            .unwrap_or(&[])
    }

    /// A security-context field as the container sees it: its own, else the pod's.
    pub fn effective<'a>(&'a self, container: &'a Container, field: &str) -> Option<&'a Entry> {
        container
            .security(field)
            .or_else(|| self.pod_entry(&["securityContext", field]))
    }
}

pub fn lower_object(res: &RawResource, body: Value, zone: usize) -> Object {
    let namespace = get_path(&body, &["metadata", "namespace"])
        .and_then(Value::as_str)
        .unwrap_or("default")
        .to_string();
    Object {
        kind: res.kind.clone(),
        address: res.address.clone(),
        namespace,
        name: res.name.clone().unwrap_or_else(|| "?".to_string()),
        file: res.file,
        header: res.header,
        source: res.source.clone(),
        zone,
        body: Arc::new(body),
    }
}

/// The pod spec and containers of a workload object; `None` for other kinds.
pub fn lower_workload(object: &Object, index: usize) -> Option<Workload> {
    // Known kinds by name; any other kind (OpenShift DeploymentConfig, Knative, Argo
    // Rollouts, ...) by a pod template at the usual place.
    let path: &'static [&'static str] = match POD_SPEC_PATHS.iter().find(|(k, _)| *k == object.kind)
    {
        Some((_, path)) => path,
        None => GENERIC_POD_PATHS.iter().copied().find(|p| {
            object
                .get(p)
                .is_some_and(|pod| pod.get("containers").and_then(Value::as_list).is_some())
        })?,
    };
    let pod = object.get(path)?;
    // A malformed spec (a list, a scalar) is not a pod the rules can reason about.
    pod.as_map()?;
    let mut containers = Vec::new();
    for (list, kind) in [
        ("initContainers", ContainerKind::Init),
        ("containers", ContainerKind::Regular),
        ("ephemeralContainers", ContainerKind::Ephemeral),
    ] {
        for (index, item) in pod
            .get(list)
            .and_then(Value::as_list)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let name_entry = item.entry("name");
            containers.push(Container {
                // A container without a name (kubectl would refuse it) is named by its place.
                name: name_entry
                    .and_then(|e| e.value.as_str())
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{list}[{index}]")),
                anchor: name_entry
                    .and_then(|e| e.key_loc)
                    .or(item.loc)
                    .unwrap_or(object.header),
                kind,
                body: object.body.clone(),
                pod_path: path,
                list,
                index,
            });
        }
    }
    Some(Workload {
        object: index,
        body: object.body.clone(),
        pod_path: path,
        containers,
    })
}

pub fn get_path<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut current = value;
    for key in path {
        current = current.get(key)?;
    }
    Some(current)
}

pub fn entry_path<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Entry> {
    let (last, parents) = path.split_last()?;
    get_path(value, parents)?.entry(last)
}

/// `key` of a label or annotation list.
pub fn lookup<'a>(entries: &'a [Entry], key: &str) -> Option<&'a Entry> {
    entries.iter().find(|e| e.key == key)
}
