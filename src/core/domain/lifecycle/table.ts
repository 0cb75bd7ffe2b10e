import type { EventPayload, EventType } from "~/core/events/definitions";
import type { NewEvent } from "~/core/events/outbox";
import { Prisma } from "~/lib/db";

/**
 * One allowed move of a status, as data. `on` names what makes the move (the lifecycle function
 * that applies it), `from` the statuses it may start from (null: the row is created in `to`),
 * `events` the outbox events written with it, in order. A move no row allows is refused.
 */
export interface Transition<S extends string, On extends string> {
  on: On;
  from: readonly (S | null)[];
  to: S;
  events: readonly EventType[];
}

export type TransitionTable<S extends string, On extends string> = readonly Transition<S, On>[];

/** Why a move was refused: the status it would have left (null: the row does not exist). */
export interface WrongStatus<S extends string> {
  ok: false;
  reason: "wrong_status";
  status: S | null;
}

/** The row that allows `from` -> `to` on `on`; undefined when the table refuses the move. */
export function findTransition<S extends string, On extends string>(table: TransitionTable<S, On>, on: On, from: S | null, to: S): Transition<S, On> | undefined {
  return table.find((t) => t.on === on && t.to === to && t.from.includes(from));
}

/** The row by which `on` creates its row (from null); a table without one is a programming error. */
export function creation<S extends string, On extends string>(table: TransitionTable<S, On>, on: On): Transition<S, On> {
  const row = table.find((t) => t.on === on && t.from.includes(null));
  if (!row) throw new Error(`no ${on} transition creates a row`);
  return row;
}

/** The existing statuses `on` may move to `to` from: what a guarded UPDATE's WHERE accepts. */
export function sourcesOf<S extends string, On extends string>(table: TransitionTable<S, On>, on: On, to: S): S[] {
  return [...new Set(table.filter((t) => t.on === on && t.to === to).flatMap((t) => t.from.filter((s): s is S => s !== null)))];
}

/** Statuses as a SQL list of literals (`'a', 'b'`): constants of the tables, so a statement's text never varies. */
export function statusList(statuses: readonly string[]): Prisma.Sql {
  if (statuses.length === 0 || statuses.some((s) => !/^[a-z_]+$/.test(s))) throw new Error(`not a list of statuses: ${statuses.join(", ")}`);
  return Prisma.raw(statuses.map((s) => `'${s}'`).join(", "));
}

export type EventPayloads = { [T in EventType]?: EventPayload<T> };

/**
 * The outbox events a transition writes, built from the payloads its function supplies. Every
 * lifecycle event is about the order (aggregate `order`), so one order's events stay in sequence.
 * A row naming an event its function has no payload for is a programming error.
 */
export function transitionEvents(row: Transition<string, string>, orderId: string, payloads: EventPayloads): NewEvent<EventType>[] {
  return row.events.map((type) => {
    const payload = payloads[type];
    if (!payload) throw new Error(`the ${row.on} transition to ${row.to} writes ${type}, but no payload was given for it`);
    return { type, aggregateType: "order", aggregateId: orderId, payload };
  });
}
