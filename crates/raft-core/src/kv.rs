//! The key-value state machine with client sessions (dissertation §6.3).
//!
//! Every server applies the same committed commands in the same order, so every server holds the
//! same sessions: a command whose `RequestId` was already applied is not applied again, and its
//! first result is returned instead. That makes a client's retry safe (at most once).

use crate::vecmap::VecMap;

use crate::types::*;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct KvState {
    data: VecMap<String, String>,
    /// client -> its last applied request and that request's result.
    sessions: VecMap<u64, Session>,
}

/// A client session: the last request applied and its result, so a retry is answered, not re-applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub seq: u64,
    pub result: ClientResult,
}

impl KvState {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.data.get(key).map(String::as_str)
    }

    /// All key/value pairs, sorted by key.
    pub fn pairs(&self) -> Vec<(String, String)> {
        self.data.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    /// The session of `client`, if it has had a request applied.
    pub fn session(&self, client: u64) -> Option<&Session> {
        self.sessions.get(&client)
    }

    /// The result of `id` if exactly that request was already applied (a retry).
    pub fn cached_result(&self, id: RequestId) -> Option<&ClientResult> {
        self.sessions.get(&id.client).filter(|s| s.seq == id.seq).map(|s| &s.result)
    }

    /// Whether `id` (or a later request of the same client) was already applied.
    pub fn already_applied(&self, id: RequestId) -> bool {
        self.sessions.get(&id.client).is_some_and(|s| s.seq >= id.seq)
    }

    /// Apply one committed client command, at most once per `RequestId` (§6.3).
    /// Returns its result: the fresh one, or the cached one for a duplicate. `None` for a
    /// request older than the client's last applied one (its result is no longer kept; the
    /// client has moved on, so nobody waits for it).
    pub fn apply(&mut self, id: RequestId, command: &Command) -> Option<ClientResult> {
        if self.already_applied(id) {
            return self.cached_result(id).cloned();
        }
        let result = self.execute(command);
        self.sessions.insert(id.client, Session { seq: id.seq, result: result.clone() });
        Some(result)
    }

    /// Run `command` against the data, with no session bookkeeping.
    fn execute(&mut self, command: &Command) -> ClientResult {
        match command {
            Command::Put { key, value } => {
                self.set(key, value);
                ClientResult::Done
            }
            Command::Get { key } => ClientResult::Value(self.data.get(key).cloned()),
            Command::Cas { key, old, new } => {
                let current = self.data.get(key).cloned();
                if current == *old {
                    self.set(key, new);
                    ClientResult::Done
                } else {
                    ClientResult::CasFailed(current)
                }
            }
        }
    }

    /// `key` := `value`. An existing key keeps its string and its value's allocation (every
    /// server applies every write, and a restarted one its whole log again).
    fn set(&mut self, key: &str, value: &str) {
        match self.data.get_mut_by(|k| bytewise(k.as_bytes(), key.as_bytes())) {
            Some(v) => {
                v.clear();
                v.push_str(value);
            }
            None => {
                self.data.insert(key.to_owned(), value.to_owned());
            }
        }
    }

    /// The state as a snapshot stores it.
    pub fn to_data(&self) -> KvStateData {
        KvStateData {
            data: self.pairs(),
            sessions: self.sessions.iter().map(|(c, s)| (*c, s.seq, s.result.clone())).collect(),
        }
    }

    /// Rebuild the state machine from a snapshot.
    pub fn from_data(data: &KvStateData) -> KvState {
        KvState {
            data: data.data.iter().cloned().collect(),
            sessions: data
                .sessions
                .iter()
                .map(|(c, seq, result)| (*c, Session { seq: *seq, result: result.clone() }))
                .collect(),
        }
    }
}

/// The order of `str` (bytes, lexicographically), compared inline: keys are a few bytes, and
/// a call to `memcmp` per comparison cost more than the comparison (every server applies every
/// write, each a binary search over the keys).
#[inline]
fn bytewise(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(client: u64, seq: u64) -> RequestId {
        RequestId { client, seq }
    }
    fn put(k: &str, v: &str) -> Command {
        Command::Put { key: k.into(), value: v.into() }
    }
    fn cas(k: &str, old: Option<&str>, new: &str) -> Command {
        Command::Cas { key: k.into(), old: old.map(Into::into), new: new.into() }
    }

    #[test]
    fn put_get_cas() {
        let mut kv = KvState::default();
        assert_eq!(kv.apply(id(1, 1), &Command::Get { key: "x".into() }), Some(ClientResult::Value(None)));
        assert_eq!(kv.apply(id(2, 1), &cas("x", None, "a")), Some(ClientResult::Done), "cas from absent");
        assert_eq!(kv.apply(id(3, 1), &cas("x", None, "b")), Some(ClientResult::CasFailed(Some("a".into()))));
        assert_eq!(kv.apply(id(4, 1), &cas("x", Some("a"), "c")), Some(ClientResult::Done));
        assert_eq!(kv.apply(id(5, 1), &put("y", "1")), Some(ClientResult::Done));
        assert_eq!(kv.get("x"), Some("c"));
        assert_eq!(kv.pairs(), vec![("x".into(), "c".into()), ("y".into(), "1".into())]);
    }

    #[test]
    fn session_dedups_retries() {
        let mut kv = KvState::default();
        assert_eq!(kv.apply(id(7, 1), &cas("x", None, "a")), Some(ClientResult::Done));
        kv.apply(id(8, 1), &put("x", "z"));
        // The retry of client 7's cas is not applied again (it would fail now) and gets the
        // first result.
        assert_eq!(kv.apply(id(7, 1), &cas("x", None, "a")), Some(ClientResult::Done));
        assert_eq!(kv.get("x"), Some("z"));
        kv.apply(id(7, 2), &put("x", "q"));
        assert_eq!(kv.apply(id(7, 1), &put("x", "old")), None, "older than the session");
        assert_eq!(kv.get("x"), Some("q"));
    }

    #[test]
    fn bytewise_is_the_order_of_str() {
        let words = ["", "a", "b", "ab", "aa", "k1", "k10", "k9", "k", "é", "e", "z", "zz", "\u{0}"];
        for a in words {
            for b in words {
                assert_eq!(bytewise(a.as_bytes(), b.as_bytes()), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn puts_keep_keys_sorted() {
        let mut kv = KvState::default();
        for (i, k) in ["k3", "k10", "k1", "k3", "a", "k10"].iter().enumerate() {
            kv.apply(id(1, i as u64 + 1), &put(k, &i.to_string()));
        }
        let keys: Vec<String> = kv.pairs().into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["a", "k1", "k10", "k3"]);
        assert_eq!(kv.get("k3"), Some("3"));
        assert_eq!(kv.get("k10"), Some("5"));
    }

    #[test]
    fn snapshot_round_trip() {
        let mut kv = KvState::default();
        kv.apply(id(1, 1), &put("b", "2"));
        kv.apply(id(2, 1), &put("a", "1"));
        let data = kv.to_data();
        assert_eq!(data.data[0].0, "a");
        assert_eq!(KvState::from_data(&data), kv);
    }
}
