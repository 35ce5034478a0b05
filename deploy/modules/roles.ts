/** Function-to-role tables: which role may call which restricted function of which contract. */
import { Interface } from "ethers";

/** Role ids, mirroring contracts/access/Roles.sol. */
export const ROLE = { ADMIN: 0n, RISK: 1n, GUARDIAN: 2n, GATED: 3n } as const;

/** The 4-byte selectors of `names` in `iface`; throws if a name is not a function of the interface. */
export function selectorsOf(iface: Interface, names: readonly string[]): string[] {
  return names.map((name) => {
    const fn = iface.getFunction(name);
    if (!fn) throw new Error(`function ${name} not found in interface`);
    return fn.selector;
  });
}
