/**
 * The hold after a confirmation: for `holdBlocks` blocks after the signer recorded a key's confirmation, a new
 * intent for that key is refused (`POLICY_RECENTLY_CONFIRMED`) unless its re-check holds on the chain right away (the
 * executor runs it first: a new action still due, such as a further partial liquidation, is not delayed).
 *
 * Why: a strategy whose state predates the confirmation (a liquidator just restarted, its health read older than
 * the liquidation; a result lost in a crash) proposes the same key again. Nothing would be sent (the re-check
 * fails), but the intent would become the key's latest journal snapshot and hide the confirmation (K-22). Refused,
 * it writes nothing: the confirmed snapshot stays the key's latest. The hold is counted in blocks from the signer's
 * head when it recorded the confirmation (`JournalEntry.confirmedAtBlock`), not from the receipt's block, so a
 * confirmation recorded late (a restart long after the transaction was mined) still gets its full hold. It lives
 * in the journal, so it survives a restart. It is bounded: from block `confirmedAtBlock + holdBlocks` on, the key
 * is accepted again, so a new action without a re-check (one the signer cannot tell from a stale repeat) is delayed by
 * at most `holdBlocks` blocks, never blocked. `holdBlocks = 0` turns it off.
 *
 * @example
 * ```ts
 * const held = confirmationHolds(journal, intentKeys(intent), head, 3);
 * if (held.length > 0) refuse(held); // each with the block from which its key is free again
 * ```
 */
import type { Journal } from "../core/journal";

/** A key inside its hold. */
export interface ConfirmationHold {
  readonly key: string;
  /** Block at which the confirmation was recorded. */
  readonly confirmedAt: bigint;
  /** Key of the confirmed entry (a batch's first item). */
  readonly by: string;
  /** First block at which a new intent for the key is accepted. */
  readonly freeAt: bigint;
}

/**
 * The keys among `keys` still inside their hold at `head`. An unknown head (`null`: not read yet, node unreachable)
 * counts as inside the hold for every key with a confirmation on record: refusing "not now" is safe, accepting is
 * not.
 */
export function confirmationHolds(journal: Journal, keys: readonly string[], head: bigint | null, holdBlocks: number): ConfirmationHold[] {
  if (holdBlocks <= 0) return [];
  const out: ConfirmationHold[] = [];
  for (const key of keys) {
    const c = journal.lastConfirmation(key);
    if (c === undefined) continue;
    const freeAt = c.block + BigInt(holdBlocks);
    if (head === null || head < freeAt) out.push({ key, confirmedAt: c.block, by: c.by, freeAt });
  }
  return out;
}

/** The refusal's reason, naming the block from which the key is accepted again. */
export function holdReason(h: ConfirmationHold, head: bigint | null): string {
  const where = head === null ? "the head is unknown" : `head ${head}`;
  return `${h.key} was confirmed at block ${h.confirmedAt} (${h.by}) and this intent's re-check does not hold now (or it has none): a new action for it is accepted from block ${h.freeAt} (${where}), or earlier if its re-check holds`;
}
