// VRRP runtime events -> the daemon's observers: metrics counters and, on VIP changes, the
// address view ha_suspend reads.
import type { VrrpEvent } from '../vrrp/events.js';
import type { Metrics } from './metrics.js';

export function vrrpEventSink(metrics: Metrics, onVips: () => void): (ev: VrrpEvent) => void {
  return (ev) => {
    switch (ev.name) {
      case 'transition': metrics.vrrpTransition(ev.data.instance, ev.data.to); break;
      case 'advert': metrics.advert(ev.data.instance, ev.data.dir); break;
      case 'drop': metrics.drop(ev.data.instance, ev.data.reason); break;
      case 'vips': onVips(); break;
    }
  };
}
