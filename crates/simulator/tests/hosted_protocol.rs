//! `protocol js`: servers the embedder supplies (`Runner::run_with_hosts`). Here a small Rust
//! host stands in for a JavaScript node: it takes the per-step seed, and fails on demand, to
//! show what the engine does with such a server.

use std::rc::Rc;

use raft_core::{ClientReply, ClientResult, Command, NodeId, RequestId, Term};
use simulator::model::Settings;
use simulator::servers::{Admin, Ctx, Delay, Host, HostFactory, JsonMsg, Output, Payload, Reported, TimerName};
use simulator::{scenario, Observe, Runner};

/// Answers every client at once, pings S1 on a timer, records the seeds it was given, and
/// fails on its `fail_at`-th timer.
#[derive(Clone)]
struct Probe {
    id: NodeId,
    fail_at: u32,
    ticks: u32,
    seeds: Vec<u64>,
}

impl Host for Probe {
    fn protocol(&self) -> &'static str {
        "js"
    }
    fn start(&mut self, ctx: &Ctx, out: &mut Vec<Output>) {
        self.seeds.push(ctx.seed);
        out.push(Output::SetTimer { name: TimerName::Borrowed("tick"), after: Delay::Ms(100) });
    }
    fn on_message(&mut self, ctx: &Ctx, _msg: Payload, _out: &mut Vec<Output>) {
        self.seeds.push(ctx.seed);
    }
    fn on_timer(&mut self, ctx: &Ctx, _name: &str, _forced: bool, out: &mut Vec<Output>) {
        self.seeds.push(ctx.seed);
        self.ticks += 1;
        if self.ticks == self.fail_at {
            out.push(Output::Fail(format!("S{} failed at {}ms", self.id, ctx.now)));
            out.push(Output::SetTimer { name: TimerName::Borrowed("tick"), after: Delay::Ms(100) });
            return;
        }
        if self.id != 1 {
            out.push(Output::Send(Payload::Json(JsonMsg::new(self.id, 1, "Ping", "{\"type\":\"Ping\"}".into()))));
        }
        out.push(Output::SetTimer { name: TimerName::Borrowed("tick"), after: Delay::Ms(100) });
    }
    fn on_client(&mut self, _ctx: &Ctx, id: RequestId, _command: Command, out: &mut Vec<Output>) {
        out.push(Output::Reply { id, reply: ClientReply::Result(ClientResult::Done) });
    }
    fn on_admin(&mut self, _ctx: &Ctx, _admin: Admin, out: &mut Vec<Output>) {
        out.push(Output::Refused { reason: "no".into() });
    }
    fn crash(&mut self, _ctx: &Ctx, _out: &mut Vec<Output>) {}
    fn restart(&mut self, ctx: &Ctx, out: &mut Vec<Output>) {
        self.start(ctx, out);
    }
    fn configure(&mut self, _settings: &Settings) {}
    fn has_timer(&self, name: &str) -> bool {
        name == "tick"
    }
    fn has_leaders(&self) -> bool {
        false
    }
    fn report(&self) -> Option<&dyn Reported> {
        None
    }
    fn value(&self, _key: &str) -> Option<&str> {
        None
    }
    fn pairs(&self) -> Vec<(String, String)> {
        Vec::new()
    }
    fn commit_index(&self) -> u64 {
        0
    }
    fn last_applied(&self) -> u64 {
        0
    }
    fn applied_tail(&self) -> Vec<(u64, Term, String)> {
        Vec::new()
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn probes(fail_at: u32) -> HostFactory {
    Rc::new(move |id, _initial: &[NodeId], _joining, _settings: &Settings| -> Box<dyn Host> {
        Box::new(Probe { id, fail_at: if id == 2 { fail_at } else { 0 }, ticks: 0, seeds: Vec::new() })
    })
}

const JS: &str = "nodes 3\nseed 9\nprotocol js\ncode\nexport default () => ({});\nend\nput x 1 via S2\nrun 1s\nexpect op 7 ok\n";

#[test]
fn hosted_servers_run_deterministically_and_draw_seeds_from_the_run() {
    let s = scenario::parse(JS).unwrap();
    let a = Runner::run_with_hosts(&s, Observe::LINES, Some(probes(0)));
    let b = Runner::run_with_hosts(&s, Observe::LINES, Some(probes(0)));
    assert_eq!(a.exit_code(), 0, "{:?}", a.expectations);
    assert_eq!(a.sim.trace().hash_hex(), b.sim.trace().hash_hex());
    assert!(a.sim.trace().lines().iter().any(|l| l.contains("Ping")), "the JSON message travels with its label");
    let probe = |r: &Runner, id| r.sim.server(id).unwrap().host().as_any().downcast_ref::<Probe>().unwrap().seeds.clone();
    let seeds = probe(&a, 1);
    assert!(seeds.len() > 10);
    assert_eq!(seeds, probe(&b, 1));
    let mut distinct = seeds.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), seeds.len(), "every step gets its own seed");
    let other = scenario::parse(&JS.replace("seed 9", "seed 10")).unwrap();
    let c = Runner::run_with_hosts(&other, Observe::LINES, Some(probes(0)));
    assert_ne!(probe(&c, 1), seeds, "the seeds come from the run's generator");
}

#[test]
fn a_failing_server_stops_the_run_at_that_instant() {
    let s = scenario::parse(JS).unwrap();
    let r = Runner::run_with_hosts(&s, Observe::LINES, Some(probes(3)));
    assert!(r.sim.halted());
    assert_eq!(r.exit_code(), 1);
    assert_eq!(r.sim.now(), 300, "the clock stays at the failure");
    let errors = r.sim.errors();
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].time_ms, errors[0].text.as_str()), (300, "S2 failed at 300ms"));
    assert!(r.expectations.is_empty(), "nothing after the failure is played");
}

#[test]
fn protocol_js_without_a_host_stops_with_a_clear_error() {
    let s = scenario::parse(JS).unwrap();
    let r = Runner::run(&s, Observe::REPORT);
    assert!(r.sim.halted());
    assert_eq!(r.exit_code(), 1);
    assert!(r.sim.servers().is_empty());
    assert!(r.sim.errors()[0].text.contains("npm run judge"), "{:?}", r.sim.errors());
}
