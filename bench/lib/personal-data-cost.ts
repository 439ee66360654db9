import { parseKeyRing } from '../../src/config/key-ring';
import { environmentKeyProvider } from '../../src/infra/encryption/key-provider';
import { installPersonalDataCipher } from '../../src/infra/encryption/personal-data';
import { createLogger } from '../../src/infra/logger';
import { checkoutFingerprint } from '../../src/modules/orders/checkout-request';
import { openOrderAddress, sealOrderAddress } from '../../src/modules/orders/sealed-address';
import { newId } from '../../src/shared/ids';
import { BENCH_DATA_ENCRYPTION_KEYS } from './server-process';

const ADDRESS = { name: 'Bench Buyer', line1: '1 rue de la Paix', line2: null, city: 'Lyon', postalCode: '69001', country: 'FR', phone: '+33 4 00 00 00 00' };
const LINES = [{ productId: newId(), quantity: 1 }];

/** Makes the benchmark's servers' key ring the cipher of this process: to seal what fixtures write in SQL as checkout would. */
export async function installServerCipher(): Promise<void> {
  await installPersonalDataCipher(environmentKeyProvider(parseKeyRing(BENCH_DATA_ENCRYPTION_KEYS)), createLogger('silent'));
}

/**
 * What personal data encryption adds to one checkout, in CPU milliseconds, measured in this process with the
 * server's key ring: sealing the address and the keyed fingerprint at checkout, and opening the address twice
 * (the Checkout answer and the confirmation email). Compared with the checkout's measured server CPU per request,
 * it is the share that encryption takes: with encryption against without.
 */
export async function personalDataMsPerCheckout(iterations = 20_000): Promise<number> {
  await installServerCipher();
  const orderId = newId();
  const once = () => {
    const sealed = sealOrderAddress(orderId, ADDRESS);
    checkoutFingerprint(LINES, ADDRESS);
    openOrderAddress(orderId, sealed);
    openOrderAddress(orderId, sealed);
  };
  for (let i = 0; i < 1_000; i++) once(); // warm-up: the JIT, the cipher contexts
  const started = process.cpuUsage();
  for (let i = 0; i < iterations; i++) once();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1_000 / iterations;
}
