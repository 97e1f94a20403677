//! `session.save_path`: the nodes in order of preference, and which one to
//! try first. A node that just failed is tried after the others for a few
//! seconds, so that while it is down each request does not first wait out
//! its timeout against it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a failed node goes to the back of the line.
const BENCHED_FOR: Duration = Duration::from_secs(5);

static BENCHED: Mutex<Option<HashMap<String, Instant>>> = Mutex::new(None);

/// The nodes of a save path (`a@h, b@h`); `fallback` (peb.default_nodename) when it names none.
pub fn parse(save_path: &str, fallback: &str) -> Vec<String> {
    let nodes: Vec<String> =
        save_path.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
    if nodes.is_empty() && !fallback.trim().is_empty() { vec![fallback.trim().to_string()] } else { nodes }
}

/// The nodes in the order to try them: save_path's order, recently failed ones last.
pub fn order(nodes: &[String]) -> Vec<String> {
    let now = Instant::now();
    let benched = |n: &String| with_benched(|b| b.get(n).is_some_and(|until| *until > now));
    let (later, first): (Vec<String>, Vec<String>) = nodes.iter().cloned().partition(benched);
    first.into_iter().chain(later).collect()
}

pub fn failed(node: &str) {
    with_benched(|b| b.insert(node.to_string(), Instant::now() + BENCHED_FOR));
}

pub fn worked(node: &str) {
    with_benched(|b| b.remove(node));
}

fn with_benched<R>(f: impl FnOnce(&mut HashMap<String, Instant>) -> R) -> R {
    let mut slot = BENCHED.lock().unwrap_or_else(|e| e.into_inner());
    f(slot.get_or_insert_with(HashMap::new))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_paths_parse() {
        assert_eq!(parse(" a@h ,b@h,, ", "x@h"), ["a@h", "b@h"]);
        assert_eq!(parse("", "x@h"), ["x@h"]);
        assert!(parse(" ", "").is_empty());
    }

    #[test]
    fn a_failed_node_goes_last() {
        let nodes = vec!["n1@t".to_string(), "n2@t".to_string(), "n3@t".to_string()];
        failed("n1@t");
        assert_eq!(order(&nodes), ["n2@t", "n3@t", "n1@t"]);
        worked("n1@t");
        assert_eq!(order(&nodes), nodes);
    }

    #[test]
    fn failed_nodes_keep_their_order_behind_the_others() {
        let nodes: Vec<String> = ["o1@t", "o2@t", "o3@t", "o4@t"].map(String::from).into();
        failed("o3@t");
        failed("o1@t");
        assert_eq!(order(&nodes), ["o2@t", "o4@t", "o1@t", "o3@t"]);
        worked("o3@t");
        assert_eq!(order(&nodes), ["o2@t", "o3@t", "o4@t", "o1@t"]);
        worked("o1@t");
    }
}
