// A server's menu as the page builds it from a snapshot's membership facts; the layout with
// servers added at run time. (Which servers are members is the view model's to say: see
// crates/simulator/src/view.rs.)
import { describe, it, expect } from 'vitest';
import { serverMenuItems } from '../../../web/server-menu.js';
import { Layout } from '../../../web/layout.js';

const node = (id, extra = {}) => ({ id, running: true, role: 'follower', membership: 'member', ...extra });

function snap() {
  return {
    leader: 'S1',
    nodes: [
      node('S1', { role: 'leader' }),
      node('S2'),
      node('S3', { running: false }),
      node('S4', { membership: 'joining' }),
      node('S5', { membership: 'removed' }),
    ],
  };
}

describe('a server\'s menu', () => {
  const labels = (id) => serverMenuItems(snap(), id).filter((i) => i.what !== 'link').map((i) => `${i.what}:${i.label}`);
  it('offers crash, make leader and remove on a follower', () => {
    expect(labels('S2')).toEqual(['toggle:Crash', 'transfer:Make leader', 'remove:Remove from cluster']);
  });
  it('does not offer to make the leader leader', () => {
    expect(labels('S1')).toEqual(['toggle:Crash', 'remove:Remove from cluster']);
  });
  it('restarts a crashed server; a joining one can be cancelled; a removed one added back', () => {
    expect(labels('S3')[0]).toBe('toggle:Restart');
    expect(labels('S4')).toEqual(['toggle:Crash', 'remove:Remove from cluster']);
    expect(labels('S5')).toEqual(['toggle:Crash', 'add:Add to cluster']);
  });
});

describe('the links in a server\'s menu', () => {
  const links = (extra, id = 'S1') => serverMenuItems({ ...snap(), ...extra }, id)
    .filter((i) => i.what === 'link')
    .map((i) => `${i.peer}:${i.label}`);
  it('lists a link to every other server, each open link to be cut', () => {
    expect(links({})).toEqual(['S2:Cut link to S2', 'S3:Cut link to S3', 'S4:Cut link to S4', 'S5:Cut link to S5']);
  });
  it('names the next step of the same cycle a click on the drawn link goes through', () => {
    const both = [{ from: 'S1', to: 'S2' }, { from: 'S2', to: 'S1' }];
    expect(links({ cuts: both })[0]).toBe('S2:Link to S2: block only S1 to S2');
    expect(links({ cuts: [{ from: 'S1', to: 'S2' }] })[0]).toBe('S2:Link to S2: block only S2 to S1');
    expect(links({ cuts: [{ from: 'S2', to: 'S1' }] })[0]).toBe('S2:Restore link to S2');
    // Seen from S2 it is the same link, one step from being restored.
    expect(links({ cuts: [{ from: 'S2', to: 'S1' }] }, 'S2')[0]).toBe('S1:Restore link to S1');
    expect(links({ cuts: both }, 'S2')[0]).toBe('S1:Link to S1: block only S1 to S2');
  });
  it('leaves out the servers on the other side of a partition', () => {
    expect(links({ partition_groups: [['S1', 'S2'], ['S3', 'S4', 'S5']] }).map((l) => l.split(':')[0])).toEqual(['S2']);
    expect(links({ partition_groups: [['S1', 'S2'], ['S3', 'S4', 'S5']] }, 'S4').map((l) => l.split(':')[0])).toEqual(['S3', 'S5']);
  });
});

describe('layout with servers added at run time', () => {
  it('places every id on the ring, gaps included', () => {
    const l = new Layout();
    l.setCount(5);
    const s1 = l.home('S1');
    l.setCount(6, ['S1', 'S2', 'S3', 'S4', 'S5', 'S9']);
    const homes = l.ids.map((id) => l.home(id));
    expect(new Set(homes.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`)).size).toBe(6);
    expect(l.home('S1')).toEqual(s1);
    expect(l.home('S9')).not.toEqual(l.home('S1'));
  });
});
