/** A small shop whose customers' email and address are personal data, for the protect tests. */
import {
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  defineState,
  payload,
} from '../../js/mod.ts';

export type Customer = {
  customerId: string;
  name: string;
  email: string;
  address: { street: string; city: string };
  tier: string;
};
export const Register = defineCommand('Register', payload<Customer>());
export const Registered = defineEvent('Registered', payload<Customer>(), {
  protect: { subject: (e) => e.data.customerId, fields: ['email', 'address.street'] },
});
export const Rename = defineCommand('Rename', payload<{ customerId: string; name: string }>());
export const Renamed = defineEvent('Renamed', payload<{ customerId: string; name: string }>(), {
  protect: { subject: (e) => e.data.customerId, fields: ['name'] },
});
const Known = defineState<
  { email: string; renames: number },
  ReturnType<typeof Registered | typeof Renamed>
>({
  name: 'customer',
  initial: () => ({ email: '', renames: 0 }),
  evolve: (s, e) =>
    e.type === 'Registered' ? { ...s, email: e.data.email } : { ...s, renames: s.renames + 1 },
});
export const register = defineReceptor({
  command: Register,
  stream: (c) => `customer-${c.data.customerId}`,
  handle: (c) => Registered(c.data),
});
export const rename = defineReceptor({
  command: Rename,
  stream: (c) => `customer-${c.data.customerId}`,
  state: Known,
  decide: (c, s) => {
    if (s.email === '') throw new Error('unknown customer');
    return Renamed(c.data);
  },
});
export const customers = definePerspective({
  name: 'customers',
  events: [Registered, Renamed],
  key: (e) => e.data.customerId,
  initial: () => ({ name: '', email: '', street: '', city: '' }),
  apply: (m, e) =>
    e.type === 'Registered'
      ? {
          name: e.data.name,
          email: e.data.email,
          street: e.data.address.street,
          city: e.data.address.city,
        }
      : { ...m, name: e.data.name },
});

/** A master key for AES-KW, non-extractable. */
export function masterKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, false, [
    'wrapKey',
    'unwrapKey',
  ]) as Promise<CryptoKey>;
}

/** Ada's registration, with values unique enough to search raw bytes for. */
export const ada = (id = 'c-1'): Customer => ({
  customerId: id,
  name: 'Ada Lovelace',
  email: `ada.${id}@example.org`,
  address: { street: `12 Analytical Engine Row ${id}`, city: 'London' },
  tier: 'gold',
});
