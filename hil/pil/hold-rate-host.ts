// A host process for the crash-safety test: connects to a pump and holds a rate (renewing its lease) until
// it is killed.   node --import tsx hil/pil/hold-rate-host.ts <tty> <rate mL/h> <lease ms>
import { SystemClock } from '../../host/clock/system-clock.ts';
import { InfusionPump } from '../../host/devices/infusion-pump.ts';
import { DeviceLink } from '../../host/link/device-link.ts';
import { SIM_KEYRING } from '../emulator/sim-keys.ts';
import { SerialTransport } from '../../host/transport/serial-transport.ts';

const [tty, rate, lease] = process.argv.slice(2);
const clock = new SystemClock();
const link = new DeviceLink({ name: tty, open: () => SerialTransport.open(tty, 115200), clock, keyring: SIM_KEYRING });
const pump = new InfusionPump(link, clock);
link.on({
  ready: () => {
    pump.holdRate(Number(rate), Number(lease)).then(
      () => console.log('HOLDING'),
      (e: Error) => console.log(`FAILED ${e.message}`),
    );
  },
});
link.start();
