// A device that can be unplugged and plugged back in: the FaultyLink under the name the link tests use.
import type { Transport } from '../../host/transport/transport.ts';
import { FaultyLink } from './faulty-link.ts';

export class Unpluggable extends FaultyLink {
  constructor(openInner: () => Promise<Transport>, name = 'device') {
    super(openInner, { name });
  }
}
