// tau2-bench's airline tools as tooltrial writes them (importers/tau2_airline.ts), on a small
// database: bookings paid with certificates, gift cards and cards; cancellation refunds; flight,
// baggage and passenger updates with their payments; searches; each error message as tau2's.
import assert from "node:assert/strict";
import { envFromDoc } from "../spec/load_env.ts";
import type { State } from "../spec/types.ts";
import { parseYaml } from "../spec/yaml.ts";
import { declarativeEnv } from "../tools/mod.ts";
import { AIRLINE_DOMAIN } from "./tau2_airline.ts";

const seats = (basic_economy: number, economy: number, business: number) => ({
  basic_economy,
  economy,
  business,
});
const TABLES = {
  flights: [
    {
      origin: "PHL",
      destination: "LGA",
      flight_number: "HAT001",
      scheduled_departure_time_est: "06:00:00",
      scheduled_arrival_time_est: "07:00:00",
      dates: {
        "2024-05-10": {
          status: "landed",
          actual_departure_time_est: "2024-05-10T06:01:00",
          actual_arrival_time_est: "2024-05-10T07:02:00",
        },
        "2024-05-16": {
          status: "available",
          available_seats: seats(2, 5, 1),
          prices: seats(80, 120, 400),
        },
        "2024-05-17": {
          status: "available",
          available_seats: seats(2, 5, 1),
          prices: seats(90, 150, 450),
        },
      },
    },
    {
      origin: "LGA",
      destination: "PHX",
      flight_number: "HAT002",
      scheduled_departure_time_est: "21:00:00",
      scheduled_arrival_time_est: "01:30:00+1",
      dates: {
        "2024-05-16": {
          status: "available",
          available_seats: seats(9, 9, 9),
          prices: seats(100, 200, 600),
        },
      },
    },
    ...["08:00:00", "09:00:00"].map((leaves, i) => ({
      origin: "PHX",
      destination: "SFO",
      flight_number: `HAT00${3 + i}`,
      scheduled_departure_time_est: leaves,
      scheduled_arrival_time_est: "11:00:00",
      dates: {
        "2024-05-17": {
          status: "available",
          available_seats: seats(9, 9, 9),
          prices: seats(100, 200, 600),
        },
      },
    })),
  ],
  users: [{
    user_id: "mia_li_1",
    name: { first_name: "Mia", last_name: "Li" },
    payment_methods: {
      credit_card_1: {
        source: "credit_card",
        id: "credit_card_1",
        brand: "visa",
        last_four: "1234",
      },
      gift_card_1: { source: "gift_card", id: "gift_card_1", amount: 200 },
      certificate_1: { source: "certificate", id: "certificate_1", amount: 100 },
    },
    membership: "gold",
    reservations: ["R1"],
  }],
  reservations: [{
    reservation_id: "R1",
    user_id: "mia_li_1",
    origin: "PHL",
    destination: "LGA",
    flight_type: "one_way",
    cabin: "economy",
    flights: [{
      origin: "PHL",
      destination: "LGA",
      flight_number: "HAT001",
      date: "2024-05-16",
      price: 120,
    }],
    passengers: [{ first_name: "Mia", last_name: "Li", dob: "1990-04-05" }],
    payment_history: [{ payment_id: "credit_card_1", amount: 120 }],
    created_at: "2024-05-01T10:00:00",
    total_baggages: 1,
    nonfree_baggages: 0,
    insurance: "no",
  }],
};

async function airline() {
  const text = JSON.stringify({
    tooltrial: 1,
    env: "airline-test",
    state: TABLES,
    tools: AIRLINE_DOMAIN.tools,
  });
  const env = declarativeEnv(await envFromDoc(parseYaml(text, "<airline>"), text));
  let state: State = env.initialState;
  let n = 0;
  return {
    get state(): Record<string, unknown[]> {
      return JSON.parse(JSON.stringify(state));
    },
    /** The call's result; an error is thrown as its message. */
    async call(name: string, args: Record<string, unknown>) {
      const r = await env.step(state, { id: `c${n++}`, name, arguments: args });
      state = r.state;
      const o = JSON.parse(JSON.stringify(r.observation));
      return o.ok ? o.result : { error: o.error.message };
    },
  };
}

const user = (s: Record<string, unknown[]>) => s.users[0] as Record<string, unknown>;
const res = (s: Record<string, unknown[]>, id: string) =>
  (s.reservations as { reservation_id: string }[]).find((r) => r.reservation_id === id);
const flight = (s: Record<string, unknown[]>, no: string, date: string) =>
  (s.flights as { flight_number: string; dates: Record<string, unknown> }[])
    .find((f) => f.flight_number === no)?.dates[date];

const BOOKING = {
  user_id: "mia_li_1",
  origin: "PHL",
  destination: "LGA",
  flight_type: "one_way",
  cabin: "economy",
  flights: [{ flight_number: "HAT001", date: "2024-05-16" }],
  passengers: [
    { first_name: "Mia", last_name: "Li", dob: "1990-04-05" },
    { first_name: "Noah", last_name: "Li", dob: "1992-01-01" },
  ],
  // 2 × 120 + insurance 2 × 30 + one paid bag 50 = 350
  payment_methods: [
    { payment_id: "certificate_1", amount: 100 },
    { payment_id: "gift_card_1", amount: 200 },
    { payment_id: "credit_card_1", amount: 50 },
  ],
  total_baggages: 2,
  nonfree_baggages: 1,
  insurance: "yes",
};

Deno.test("airline book_reservation: price, payments checked then taken, seats, ids; each refusal as tau2's", async () => {
  const a = await airline();
  const refused = async (change: Record<string, unknown>, error: string) =>
    assert.deepEqual(await a.call("book_reservation", { ...BOOKING, ...change }), { error });
  await refused({ user_id: "nobody" }, "User nobody not found");
  await refused(
    { flights: [{ flight_number: "HAT009", date: "2024-05-16" }] },
    "Flight HAT009 not found",
  );
  await refused(
    { flights: [{ flight_number: "HAT001", date: "2024-06-01" }] },
    "Flight HAT001 not found on date 2024-06-01",
  );
  await refused(
    { flights: [{ flight_number: "HAT001", date: "2024-05-10" }] },
    "Flight HAT001 not available on date 2024-05-10",
  );
  await refused({ cabin: "business" }, "Not enough seats on flight HAT001");
  await refused(
    { payment_methods: [{ payment_id: "paypal_1", amount: 350 }] },
    "Payment method paypal_1 not found",
  );
  await refused(
    { payment_methods: [{ payment_id: "gift_card_1", amount: 350 }] },
    "Not enough balance in payment method gift_card_1",
  );
  await refused(
    { payment_methods: [{ payment_id: "credit_card_1", amount: 349 }] },
    "Payment amount does not add up, total price is 350, but paid 349",
  );
  assert.deepEqual(res(a.state, "HATHAT"), undefined, "a refused booking writes nothing");

  const booked = await a.call("book_reservation", BOOKING);
  assert.deepEqual(booked, {
    reservation_id: "HATHAT",
    user_id: "mia_li_1",
    origin: "PHL",
    destination: "LGA",
    flight_type: "one_way",
    cabin: "economy",
    flights: [{
      origin: "PHL",
      destination: "LGA",
      flight_number: "HAT001",
      date: "2024-05-16",
      price: 120,
    }],
    passengers: BOOKING.passengers,
    payment_history: BOOKING.payment_methods,
    created_at: "2024-05-15T15:00:00",
    total_baggages: 2,
    nonfree_baggages: 1,
    insurance: "yes",
  });
  const s = a.state;
  // The certificate is used up, the gift card drawn down, the card untouched.
  assert.deepEqual(user(s).payment_methods, {
    credit_card_1: { source: "credit_card", id: "credit_card_1", brand: "visa", last_four: "1234" },
    gift_card_1: { source: "gift_card", id: "gift_card_1", amount: 0 },
  });
  assert.deepEqual(user(s).reservations, ["R1", "HATHAT"]);
  assert.deepEqual(flight(s, "HAT001", "2024-05-16"), {
    status: "available",
    available_seats: seats(2, 3, 1),
    prices: seats(80, 120, 400),
  });
  assert.deepEqual(flight(s, "HAT001", "2024-05-17"), TABLES.flights[0].dates["2024-05-17"]);
  const again = await a.call("book_reservation", {
    ...BOOKING,
    cabin: "basic_economy",
    passengers: BOOKING.passengers.slice(0, 1),
    insurance: "no",
    nonfree_baggages: 0,
    payment_methods: [{ payment_id: "credit_card_1", amount: 80 }],
  });
  assert.equal(again.reservation_id, "HATHAU");
});

Deno.test("airline cancel_reservation refunds every payment and marks it cancelled; seats stay", async () => {
  const a = await airline();
  assert.deepEqual(await a.call("cancel_reservation", { reservation_id: "NOPE" }), {
    error: "Reservation NOPE not found",
  });
  const r = await a.call("cancel_reservation", { reservation_id: "R1" });
  assert.deepEqual(r.payment_history, [
    { payment_id: "credit_card_1", amount: 120 },
    { payment_id: "credit_card_1", amount: -120 },
  ]);
  assert.equal(r.status, "cancelled");
  assert.deepEqual(res(a.state, "R1"), r);
  assert.deepEqual(a.state.flights, JSON.parse(JSON.stringify(TABLES.flights)));
});

Deno.test("airline update_reservation_flights: the difference paid or refunded, kept segments keep their price", async () => {
  const a = await airline();
  const update = (change: Record<string, unknown>) =>
    a.call("update_reservation_flights", {
      reservation_id: "R1",
      cabin: "economy",
      flights: [{ flight_number: "HAT001", date: "2024-05-17" }],
      payment_id: "gift_card_1",
      ...change,
    });
  assert.deepEqual(await update({ payment_id: "certificate_1" }), {
    error: "Certificate cannot be used to update reservation",
  });
  assert.deepEqual(await update({ payment_id: "paypal_1" }), {
    error: "Payment method not found",
  });
  // Business on the same flight: priced anew, 400 − 120 = 280 > the gift card's 200.
  assert.deepEqual(
    await update({ cabin: "business", flights: [{ flight_number: "HAT001", date: "2024-05-16" }] }),
    { error: "Gift card balance is not enough" },
  );
  assert.deepEqual(await update({ flights: [{ flight_number: "HAT001", date: "2024-05-10" }] }), {
    error: "Flight HAT001 not available on date 2024-05-10",
  });
  // Same cabin, same flight and date: kept at the price paid, nothing to pay, no payment line.
  const same = await update({ flights: [{ flight_number: "HAT001", date: "2024-05-16" }] });
  assert.deepEqual(same.payment_history, [{ payment_id: "credit_card_1", amount: 120 }]);
  // The next day costs 150: 30 more, from the gift card.
  const moved = await update({});
  assert.deepEqual(moved.flights, [{
    flight_number: "HAT001",
    date: "2024-05-17",
    price: 150,
    origin: "PHL",
    destination: "LGA",
  }]);
  assert.deepEqual(moved.payment_history.at(-1), { payment_id: "gift_card_1", amount: 30 });
  assert.equal(
    (user(a.state).payment_methods as Record<string, { amount: number }>).gift_card_1.amount,
    170,
  );
  // Down to basic economy (90): 60 back onto the gift card, as a negative payment.
  const down = await update({ cabin: "basic_economy" });
  assert.equal(down.cabin, "basic_economy");
  assert.deepEqual(down.payment_history.at(-1), { payment_id: "gift_card_1", amount: -60 });
  assert.equal(
    (user(a.state).payment_methods as Record<string, { amount: number }>).gift_card_1.amount,
    230,
  );
  // Seats are not moved by an update, as in tau2.
  assert.deepEqual(a.state.flights, JSON.parse(JSON.stringify(TABLES.flights)));
});

Deno.test("airline baggage and passenger updates, searches, calculate and certificates", async () => {
  const a = await airline();
  const bags = await a.call("update_reservation_baggages", {
    reservation_id: "R1",
    total_baggages: 3,
    nonfree_baggages: 2,
    payment_id: "credit_card_1",
  });
  assert.deepEqual(bags.payment_history.at(-1), { payment_id: "credit_card_1", amount: 100 });
  assert.equal(bags.total_baggages, 3);
  const fewer = await a.call("update_reservation_baggages", {
    reservation_id: "R1",
    total_baggages: 1,
    nonfree_baggages: 0,
    payment_id: "certificate_1",
  });
  assert.deepEqual(fewer, { error: "Certificate cannot be used to update reservation" });
  assert.deepEqual(
    await a.call("update_reservation_passengers", {
      reservation_id: "R1",
      passengers: BOOKING.passengers,
    }),
    { error: "Number of passengers does not match" },
  );
  const renamed = await a.call("update_reservation_passengers", {
    reservation_id: "R1",
    passengers: [{ first_name: "Mia", last_name: "Lee", dob: "1990-04-05" }],
  });
  assert.equal(renamed.passengers[0].last_name, "Lee");

  const direct = await a.call("search_direct_flight", {
    origin: "PHL",
    destination: "LGA",
    date: "2024-05-16",
  });
  assert.deepEqual(direct, [{
    flight_number: "HAT001",
    origin: "PHL",
    destination: "LGA",
    status: "available",
    scheduled_departure_time_est: "06:00:00",
    scheduled_arrival_time_est: "07:00:00",
    date: null,
    available_seats: seats(2, 5, 1),
    prices: seats(80, 120, 400),
  }]);
  assert.deepEqual(
    await a.call("search_direct_flight", { origin: "PHL", destination: "LGA", date: "2024-05-10" }),
    [],
  );
  const onestop = await a.call("search_onestop_flight", {
    origin: "PHL",
    destination: "PHX",
    date: "2024-05-16",
  });
  assert.deepEqual(
    onestop.map((pair: { flight_number: string; date: string }[]) =>
      pair.map((f) => `${f.flight_number}@${f.date}`)
    ),
    [["HAT001@2024-05-16", "HAT002@2024-05-16"]],
  );
  // HAT002 lands the next day (01:30:00+1): the second legs are searched on 2024-05-17.
  const nextDay = await a.call("search_onestop_flight", {
    origin: "LGA",
    destination: "SFO",
    date: "2024-05-16",
  });
  assert.deepEqual(
    nextDay.map((pair: { flight_number: string; date: string }[]) =>
      pair.map((f) => `${f.flight_number}@${f.date}`)
    ),
    [["HAT002@2024-05-16", "HAT003@2024-05-17"], ["HAT002@2024-05-16", "HAT004@2024-05-17"]],
  );
  assert.equal(
    await a.call("get_flight_status", { flight_number: "HAT001", date: "2024-05-10" }),
    "landed",
  );
  assert.deepEqual(
    await a.call("get_flight_status", { flight_number: "HAT001", date: "2024-05-01" }),
    {
      error: "Flight HAT001 not found on date 2024-05-01",
    },
  );
  assert.equal(await a.call("calculate", { expression: "2 * (3 + 4)" }), "14.0");
  assert.equal(await a.call("calculate", { expression: "10 / 3" }), "3.33");
  assert.deepEqual(await a.call("calculate", { expression: "2 ** 3; x" }), {
    error: "Invalid characters in expression",
  });
  assert.equal(
    await a.call("send_certificate", { user_id: "mia_li_1", amount: 50 }),
    "Certificate certificate_3221322 added to user mia_li_1 with amount 50.",
  );
  assert.deepEqual(
    (user(a.state).payment_methods as Record<string, unknown>).certificate_3221322,
    { source: "certificate", id: "certificate_3221322", amount: 50 },
  );
  assert.equal(
    await a.call("send_certificate", { user_id: "mia_li_1", amount: 20 }),
    "Certificate certificate_3221323 added to user mia_li_1 with amount 20.",
  );
  assert.equal((await a.call("list_all_airports", {})).length, 20);
});
