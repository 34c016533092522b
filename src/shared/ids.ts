/** @module Ids of the host's own records (runs, sessions). */
import * as crypto from 'node:crypto';

// Node added randomUUIDv7 in 24.16; on an older 24 the ids are version 4, which are as valid, only unordered.
const uuidV7 = (crypto as Partial<typeof crypto>).randomUUIDv7?.bind(crypto) ?? crypto.randomUUID;

/**
 * A new run or session id: a UUID whose leading bits are the time (RFC 9562 version 7). Every index that
 * starts with a run's or session's id (its events, its transcript, its model calls) then grows at its right
 * edge instead of at a random place inside: a random (version 4) id made a step's commit write about one and a
 * half pages more to the log, rebalancing the pages it landed between.
 */
export function newRecordId(): string {
  return uuidV7();
}
