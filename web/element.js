// <raft-playground preset="split-brain" controls="minimal">: one script tag, any number of
// figures per page, each in its own shadow root so the article's styles and the figure's never
// mix. The element's methods (crash, partition, runToStep, highlight…) drive the figure, and
// it dispatches `leader-elected`, `entry-committed`, `operation`, `violation` and `step`
// events (bubbling, composed) that the article can listen to.

// Only what a figure draws with (base.css: colours, controls, the cluster drawing), not the
// playground's panels, drawers and timeline (style.css).
import baseCss from './base.css?inline';
import embedCss from './embed.css?inline';
import { Figure } from './embed-figure.js';
import { decodeScenarioAny } from './share.js';

const EVENTS = ['leader-elected', 'entry-committed', 'operation', 'violation', 'step', 'error'];
/** The methods an article may call (also over postMessage, see embed.js). */
export const API = [
  'play', 'pause', 'nextStep', 'runToStep', 'replay', 'selectVariant', 'crash', 'restart',
  'partition', 'heal', 'highlight', 'act', 'state',
];

// The page's colours are declared on :root; inside a shadow root they belong on :host.
const css = `${baseCss.replaceAll(':root', ':host')}\n${embedCss}\n:host { display: block; position: relative; color-scheme: light dark; }`;

export class RaftPlayground extends HTMLElement {
  static get observedAttributes() {
    return ['preset', 'variant', 'controls', 's', 'scenario'];
  }

  constructor() {
    super();
    this.shadow = this.attachShadow({ mode: 'open' });
    this.figure = null;
    this._ready = null;
    this._resolve = null;
    this.ready = new Promise((r) => { this._resolve = r; });
  }

  connectedCallback() {
    if (!this.figure) this.mount();
  }

  disconnectedCallback() {
    if (this.figure) this.figure.destroy();
    this.figure = null;
    this._mounting = (this._mounting || 0) + 1;
    this._decoding = false;
    if (this.observer) this.observer.disconnect();
  }

  /**
   * Play when the figure comes into view (unless autoplay="false" or the reader prefers reduced
   * motion), pause it while it is scrolled away and resume when it is back: an article with
   * seven figures runs only the ones being read.
   */
  watchVisibility(figure) {
    if (this.observer) this.observer.disconnect();
    const wants = this.getAttribute('autoplay') !== 'false' && !figure.reducedMotion;
    let started = false;
    let parked = false;
    const seen = (visible) => {
      if (this.figure !== figure) return;
      if (visible && wants && !started) {
        started = true;
        if (!figure.driven) figure.play();
      } else if (visible && parked) {
        parked = false;
        figure.play();
      } else if (!visible && !figure.paused) {
        parked = true;
        figure.pause();
      }
    };
    if (typeof IntersectionObserver !== 'function') return seen(true);
    this.observer = new IntersectionObserver((entries) => seen(entries.some((e) => e.isIntersecting)), { threshold: 0.2 });
    this.observer.observe(this);
  }

  attributeChangedCallback(name, was, now) {
    if (was !== now && (this.figure || this._decoding)) this.mount();
  }

  /**
   * Build the figure from the attributes. An `s` payload, plain or compressed, goes through the
   * share link's own decoder (share.js), which is asynchronous for compressed ones; a later
   * mount supersedes one still decoding.
   */
  mount() {
    if (this.figure) this.figure.destroy();
    this.figure = null;
    const mounting = (this._mounting = (this._mounting || 0) + 1);
    const style = document.createElement('style');
    style.textContent = css;
    const host = document.createElement('div');
    host.className = 'rp-host';
    this.shadow.replaceChildren(style, host);
    const s = this.getAttribute('s');
    const inline = this.querySelector('script[type="text/x-raft-scenario"]');
    const build = (scenario) => this.build(host, scenario || (inline ? inline.textContent : null));
    if (!s) return build(this.getAttribute('scenario'));
    this._decoding = true;
    decodeScenarioAny(s).then(
      (text) => {
        if (mounting !== this._mounting) return;
        this._decoding = false;
        build(text);
      },
      (err) => {
        if (mounting !== this._mounting) return;
        this._decoding = false;
        host.textContent = `This figure's scenario could not be read: ${err.message}`;
      },
    );
  }

  build(host, scenario) {
    const figure = new Figure(host, {
      preset: this.getAttribute('preset') || (scenario ? null : 'leader-election'),
      scenario,
      variant: this.getAttribute('variant') || undefined,
      controls: this.getAttribute('controls') || 'minimal',
      speed: this.getAttribute('speed') || undefined,
      // Playing starts when the figure scrolls into view (see watchVisibility).
      autoplay: false,
      caption: this.getAttribute('caption') || undefined,
      showTitle: this.getAttribute('notitle') == null,
    });
    this.figure = figure;
    for (const name of EVENTS) {
      figure.addEventListener(name, (e) => {
        this.dispatchEvent(new CustomEvent(name, { detail: e.detail, bubbles: true, composed: true }));
      });
    }
    figure.ready.then(
      () => {
        this.setAttribute('data-ready', '');
        this.watchVisibility(figure);
        this._resolve(this);
        this.dispatchEvent(new CustomEvent('ready', { bubbles: true, composed: true }));
      },
      (err) => this.setAttribute('data-error', err.message),
    );
  }
}

for (const name of API) {
  RaftPlayground.prototype[name] = function (...args) {
    if (!this.figure || !this.figure.panes.length) throw new Error('the figure is not ready yet: await element.ready');
    return this.figure[name](...args);
  };
}

if (!customElements.get('raft-playground')) customElements.define('raft-playground', RaftPlayground);
