import type { Tau2Domain } from "./tau2_domains.ts";

// tooltrial's JSONata version of tau2-bench's airline tools (src/tau2/domains/airline/tools.py),
// written from their documented behaviour: the same names, parameters, checks in the same order,
// error messages, results and writes. Each write's checks are one expression giving the first
// failing check's message (or nothing), so `errors` holds one rule per tool.

/** `{ type: string, description }`. */
const str = (description: string) => ({ type: "string", description });
const int = (description: string) => ({ type: "integer", description });
const CABIN = {
  type: "string",
  enum: ["basic_economy", "economy", "business"],
  description: "The cabin class such as 'basic_economy', 'economy', or 'business'.",
};
const FLIGHTS = (description: string) => ({
  type: "array",
  description,
  items: {
    type: "object",
    properties: {
      flight_number: str("Flight number, such as 'HAT001'."),
      date: str("The date for the flight in the format 'YYYY-MM-DD', such as '2024-05-01'."),
    },
    required: ["flight_number", "date"],
  },
});
const PASSENGERS = {
  type: "array",
  description: "An array of objects containing details about each passenger.",
  items: {
    type: "object",
    properties: {
      first_name: str("Passenger's first name"),
      last_name: str("Passenger's last name"),
      dob: str("Date of birth in YYYY-MM-DD format"),
    },
    required: ["first_name", "last_name", "dob"],
  },
};
const PAYMENT_ID = str(
  "The payment id stored in user profile, such as 'credit_card_7815826', " +
    "'gift_card_7815826', 'certificate_7815826'.",
);

/** The time tau2's airline tools write as a new reservation's `created_at`. */
const NOW = "2024-05-15T15:00:00";

// The expressions keep to what tooltrial's fast JSONata subset runs (spec/expr_fast.ts: no
// lambdas; bindings inside blocks): the tables are large (2,000 reservations), and jsonata itself
// takes tens of milliseconds a scan. Bindings shared below: $st (the state), $usr (the user named
// by $args.user_id — or, under RES, the user of $res, the reservation $args.reservation_id names).
const USER = "$st := state; $usr := state.users[user_id = $args.user_id]; ";
const RES = "$st := state; $res := state.reservations[reservation_id = $args.reservation_id]; " +
  "$usr := state.users[user_id = $res.user_id]; ";

/** A flight's status on a date (JSONata over `$st`). */
const inst = (no: string, date: string) =>
  `$lookup($st.flights[flight_number = ${no}].dates, ${date})`;

/**
 * The first failing check of each flight `$f` of the list `flights` for `n` passengers in `cabin`
 * (a sequence of messages), skipping the flights for which `skip` holds.
 */
const flightErrors = (flights: string, o: { cabin: string; n: string; skip?: string }) =>
  `${flights}.( $f := $; $i := ${inst("$f.flight_number", "$f.date")}; ` +
  (o.skip ? `$not(${o.skip}) ? ` : "") +
  "($not($f.flight_number in $st.flights.flight_number) ? 'Flight ' & $f.flight_number & ' not found' " +
  ": $not($exists($i)) ? 'Flight ' & $f.flight_number & ' not found on date ' & $f.date " +
  ": $i.status != 'available' ? 'Flight ' & $f.flight_number & ' not available on date ' & $f.date " +
  `: $lookup($i.available_seats, ${o.cabin}) < ${o.n} ? 'Not enough seats on flight ' & $f.flight_number) )`;

/** The segment of `$res` a new flight `f` keeps (same flight, date and cabin), if any. */
const kept = (f: string) =>
  `($args.cabin = $res.cabin ? $res.flights[flight_number = ${f}.flight_number and date = ${f}.date][0])`;

/** A reservation's flights after an update: kept segments keep their price, new ones cost today's. */
const NEW_FLIGHTS = `$newFlights := [$args.flights.( $f := $; $k := ${kept("$f")}; ` +
  "$exists($k) ? $k : {'flight_number': $f.flight_number, 'date': $f.date, " +
  `'price': $lookup(${inst("$f.flight_number", "$f.date")}.prices, $args.cabin), ` +
  "'origin': $st.flights[flight_number = $f.flight_number].origin, " +
  "'destination': $st.flights[flight_number = $f.flight_number].destination } )]; ";
const FLIGHTS_PRICE = "$price := ($sum($newFlights.price) - $sum($res.flights.price)) * " +
  "$count($res.passengers); ";
const BAGS_PRICE = "$price := 50 * $max([0, $args.nonfree_baggages - $res.nonfree_baggages]); ";

/** The checks of a payment for an update (tau2's _payment_for_update), for `$price`. */
const UPDATE_PAYMENT_CHECK = "$pm := $lookup($usr.payment_methods, $args.payment_id); " +
  "$not($exists($pm)) ? 'Payment method not found' " +
  ": $pm.source = 'certificate' ? 'Certificate cannot be used to update reservation' " +
  ": $pm.source = 'gift_card' and $pm.amount < $price ? 'Gift card balance is not enough'";

/** The users table with the update's payment taken from the gift card it names. */
const UPDATE_PAYMENT_USERS =
  "[state.users.(user_id = $usr.user_id ? $merge([$, {'payment_methods': " +
  "$merge([payment_methods, {$args.payment_id: ($m := $lookup(payment_methods, $args.payment_id); " +
  "$m.source = 'gift_card' ? $merge([$m, {'amount': $m.amount - $price}]) : $m)}])}]) : $)]";

/** `$res` with the update's payment appended, when it is not 0. */
const WITH_PAYMENT = "'payment_history': $price != 0 ? $append($res.payment_history, " +
  "[{'payment_id': $args.payment_id, 'amount': $price}]) : $res.payment_history";

const RES_NOT_FOUND = "$not($exists($res)) ? 'Reservation ' & $args.reservation_id & ' not found'";
const USER_NOT_FOUND = "$not($exists($usr)) ? 'User ' & $args.user_id & ' not found'";
const RES_USER_NOT_FOUND = "$not($exists($usr)) ? 'User ' & $res.user_id & ' not found'";

/** A tool whose checks are one expression giving the first failing one's message. */
function checked(tool: Record<string, unknown>, check: string): Record<string, unknown> {
  const e = `(${check})`;
  return { ...tool, errors: [{ when: `$exists(${e})`, message: `{{${e}}}` }] };
}

/** Replace the reservation `$res` by the object expression `fields` merged over it. */
const updateRes = (fields: string) =>
  `[state.reservations.(reservation_id = $res.reservation_id ? $merge([$, {${fields}}]) : $)]`;

// ---- book_reservation -----------------------------------------------------------------------

/** The first of `ids` not in the list `taken`, or nothing (tau2 tries a few fixed ids in turn). */
const firstFree = (ids: string[], taken: string) =>
  ids.map((id) => `$not('${id}' in ${taken}) ? '${id}'`).join(" : ");

const BOOK_BIND = USER + "$n := $count($args.passengers); " +
  `$newId := ${firstFree(["HATHAT", "HATHAU", "HATHAV"], "$st.reservations.reservation_id")}; ` +
  `$total := $sum($args.flights.( $f := $; $lookup(${
    inst("$f.flight_number", "$f.date")
  }.prices, $args.cabin) )) * $n + ` +
  "($args.insurance = 'yes' ? 30 * $n : 0) + 50 * $args.nonfree_baggages; " +
  "$paid := $sum($args.payment_methods.amount); ";
const BOOK_CHECK = BOOK_BIND +
  `$flightErrors := ${flightErrors("$args.flights", { cabin: "$args.cabin", n: "$n" })}; ` +
  "$payErrors := $args.payment_methods.( $p := $; $m := $lookup($usr.payment_methods, $p.payment_id); " +
  "$not($exists($m)) ? 'Payment method ' & $p.payment_id & ' not found' " +
  ": $m.source in ['gift_card', 'certificate'] and $m.amount < $p.amount ? " +
  "'Not enough balance in payment method ' & $p.payment_id ); " +
  USER_NOT_FOUND + " : $not($exists($newId)) ? 'Too many reservations' " +
  ": $exists($flightErrors) ? $flightErrors[0] : $exists($payErrors) ? $payErrors[0] " +
  ": $total != $paid ? 'Payment amount does not add up, total price is ' & $string($total) & " +
  "', but paid ' & $string($paid)";

const BOOK = checked({
  name: "book_reservation",
  description: "Book a reservation.",
  parameters: {
    type: "object",
    properties: {
      user_id: str("The ID of the user to book the reservation such as 'sara_doe_496'."),
      origin: str("The IATA code for the origin city such as 'SFO'."),
      destination: str("The IATA code for the destination city such as 'JFK'."),
      flight_type: {
        type: "string",
        enum: ["one_way", "round_trip"],
        description: "The type of flight such as 'one_way' or 'round_trip'.",
      },
      cabin: CABIN,
      flights: FLIGHTS("An array of objects containing details about each piece of flight."),
      passengers: PASSENGERS,
      payment_methods: {
        type: "array",
        description: "An array of objects containing details about each payment method.",
        items: {
          type: "object",
          properties: {
            payment_id: str("Unique identifier for the payment"),
            amount: int("Payment amount in dollars"),
          },
          required: ["payment_id", "amount"],
        },
      },
      total_baggages: int("The total number of baggage items to book the reservation."),
      nonfree_baggages: int("The number of non-free baggage items to book the reservation."),
      insurance: {
        type: "string",
        enum: ["yes", "no"],
        description: "Whether the reservation has insurance.",
      },
    },
    required: [
      "user_id",
      "origin",
      "destination",
      "flight_type",
      "cabin",
      "flights",
      "passengers",
      "payment_methods",
      "total_baggages",
      "nonfree_baggages",
      "insurance",
    ],
  },
  effect: {
    reservations: `(${BOOK_BIND} $append(state.reservations, {'reservation_id': $newId, ` +
      "'user_id': $args.user_id, 'origin': $args.origin, 'destination': $args.destination, " +
      "'flight_type': $args.flight_type, 'cabin': $args.cabin, 'flights': [$args.flights.( " +
      "$f := $; {'origin': $st.flights[flight_number = $f.flight_number].origin, " +
      "'destination': $st.flights[flight_number = $f.flight_number].destination, " +
      "'flight_number': $f.flight_number, 'date': $f.date, " +
      `'price': $lookup(${inst("$f.flight_number", "$f.date")}.prices, $args.cabin)} )], ` +
      "'passengers': [$args.passengers.({'first_name': first_name, 'last_name': last_name, " +
      "'dob': dob})], 'payment_history': [$args.payment_methods.({'payment_id': payment_id, " +
      `'amount': amount})], 'created_at': '${NOW}', 'total_baggages': $args.total_baggages, ` +
      "'nonfree_baggages': $args.nonfree_baggages, 'insurance': $args.insurance}))",
    users: `(${BOOK_BIND} [state.users.(user_id = $args.user_id ? $merge([$, {` +
      "'payment_methods': ($pms := payment_methods; $ks := $keys($pms); $merge($append([{}], $ks.( $k := $; " +
      "$m := $lookup($pms, $k); $used := $args.payment_methods[payment_id = $k].amount; " +
      "$m.source = 'certificate' and $exists($used) ? {} : { $k: $m.source = 'gift_card' " +
      "and $exists($used) ? $merge([$m, {'amount': $m.amount - $sum($used)}]) : $m })))), " +
      "'reservations': $append(reservations, $newId)}]) : $)])",
    flights: `(${BOOK_BIND} [state.flights.( $fl := $; $mine := $args.flights[flight_number = ` +
      "$fl.flight_number]; $exists($mine) ? $merge([$fl, {'dates': $merge($append([$fl.dates], " +
      "$mine.( $d := date; $i := $lookup($fl.dates, $d); { $d: $merge([$i, {'available_seats': " +
      "$merge([$i.available_seats, { $args.cabin: $lookup($i.available_seats, $args.cabin) - " +
      "$n * $count($mine[date = $d]) }])}]) } )))}]) : $fl )])",
  },
  result: "state.reservations[-1]",
}, BOOK_CHECK);

// ---- the other tools ------------------------------------------------------------------------

const AIRPORTS: [string, string][] = [
  ["SFO", "San Francisco"],
  ["JFK", "New York"],
  ["LAX", "Los Angeles"],
  ["ORD", "Chicago"],
  ["DFW", "Dallas"],
  ["DEN", "Denver"],
  ["SEA", "Seattle"],
  ["ATL", "Atlanta"],
  ["MIA", "Miami"],
  ["BOS", "Boston"],
  ["PHX", "Phoenix"],
  ["IAH", "Houston"],
  ["LAS", "Las Vegas"],
  ["MCO", "Orlando"],
  ["EWR", "Newark"],
  ["CLT", "Charlotte"],
  ["MSP", "Minneapolis"],
  ["DTW", "Detroit"],
  ["PHL", "Philadelphia"],
  ["LGA", "LaGuardia"],
];

/**
 * The date tau2 searches a second leg on when the first arrives the next day: `2024-05-` and the
 * day of the month + 1, without a leading zero (`2024-05-05` → `2024-05-6`, which no flight has).
 */
const NEXT_DAY = `$lookup({${
  Array.from({ length: 31 }, (_, i) => `'${String(i + 1).padStart(2, "0")}': '2024-05-${i + 2}'`)
    .join(", ")
}}, $substring($args.date, -2))`;

/** Direct flights available on `date` from `o` to `d` ('': any), leaving at or after `after`. */
const directRows = (date: string, o: string, d: string, after: string) =>
  `$st.flights[(${o} = '' or origin = ${o}) and (${d} = '' or destination = ${d}) and ` +
  `$lookup(dates, ${date}).status = 'available' and scheduled_departure_time_est >= ${after}]` +
  ".({'flight_number': flight_number, 'origin': origin, 'destination': destination, " +
  "'status': 'available', 'scheduled_departure_time_est': scheduled_departure_time_est, " +
  "'scheduled_arrival_time_est': scheduled_arrival_time_est, 'date': null, " +
  `'available_seats': $lookup(dates, ${date}).available_seats, ` +
  `'prices': $lookup(dates, ${date}).prices})`;

const SEARCH_PARAMS = {
  type: "object",
  properties: {
    origin: str("The origin city airport in three letters, such as 'JFK'."),
    destination: str("The destination city airport in three letters, such as 'LAX'."),
    date: str("The date of the flight in the format 'YYYY-MM-DD', such as '2024-05-01'."),
  },
  required: ["origin", "destination", "date"],
};

/** The certificate id send_certificate gives next (tau2 tries three fixed ids), before the call. */
const CERT_ID = `($ids := $keys($usr.payment_methods); ${
  firstFree(["certificate_3221322", "certificate_3221323", "certificate_3221324"], "$ids")
})`;
/** That id after the call: the user's last payment method. */
const CERT_ID_AFTER = "($ids := $keys($usr.payment_methods); $ids[-1])";

const OTHERS: Record<string, unknown>[] = [
  checked({
    name: "calculate",
    description: "Calculate the result of a mathematical expression.",
    parameters: {
      type: "object",
      properties: {
        expression: str(
          "The mathematical expression to calculate, such as '2 + 2'. The expression can " +
            "contain numbers, operators (+, -, *, /), parentheses, and spaces.",
        ),
      },
      required: ["expression"],
    },
    // tau2 answers Python's str(round(float(x), 2)): a whole number keeps its ".0".
    result: "($v := $round($number($eval($args.expression)), 2); " +
      "$string($v) & ($v = $floor($v) ? '.0' : ''))",
  }, "$contains($args.expression, /[^0-9+\\-*\\/(). ]/) ? 'Invalid characters in expression'"),
  checked({
    name: "cancel_reservation",
    description: "Cancel the whole reservation.",
    parameters: {
      type: "object",
      properties: { reservation_id: str("The reservation ID, such as 'ZFA04Y'.") },
      required: ["reservation_id"],
    },
    // Seats are not given back: tau2's tool does not either.
    effect: {
      reservations: `(${RES} ${
        updateRes(
          "'payment_history': $append($res.payment_history, [$res.payment_history.({" +
            "'payment_id': payment_id, 'amount': -amount})]), 'status': 'cancelled'",
        )
      })`,
    },
    result: "state.reservations[reservation_id = $args.reservation_id]",
  }, RES + RES_NOT_FOUND),
  checked({
    name: "get_reservation_details",
    description: "Get the details of a reservation.",
    parameters: {
      type: "object",
      properties: { reservation_id: str("The reservation ID, such as '8JX2WO'.") },
      required: ["reservation_id"],
    },
    result: "state.reservations[reservation_id = $args.reservation_id]",
  }, RES + RES_NOT_FOUND),
  checked({
    name: "get_user_details",
    description: "Get the details of a user, including their reservations.",
    parameters: {
      type: "object",
      properties: { user_id: str("The user ID, such as 'sara_doe_496'.") },
      required: ["user_id"],
    },
    result: "state.users[user_id = $args.user_id]",
  }, USER + USER_NOT_FOUND),
  {
    name: "list_all_airports",
    description: "Returns a list of all available airports.",
    parameters: { type: "object", properties: {} },
    result: `[${
      AIRPORTS.map(([iata, city]) => `{'iata': '${iata}', 'city': '${city}'}`).join(", ")
    }]`,
  },
  {
    name: "search_direct_flight",
    description: "Search for direct flights between two cities on a specific date.",
    parameters: SEARCH_PARAMS,
    result: `($st := state; [${
      directRows("$args.date", "$args.origin", "$args.destination", "''")
    }])`,
  },
  {
    name: "search_onestop_flight",
    description: "Search for one-stop flights between two cities on a specific date.",
    parameters: SEARCH_PARAMS,
    // As tau2 does: a first leg arriving the next day ("+1") looks for the second leg on
    // 2024-05-<day + 1>, the day written without a leading zero.
    // The pairs: [ … .( [[first, second]] ) ] keeps each pair an array of two, however many.
    result: `($st := state; [${directRows("$args.date", "$args.origin", "''", "''")}.( ` +
      "$leg := $; $a := $merge([$, {'date': $args.date}]); " +
      `$date2 := $contains($leg.scheduled_arrival_time_est, '+1') ? ${NEXT_DAY} : $args.date; ` +
      `${
        directRows(
          "$date2",
          "$leg.destination",
          "$args.destination",
          "$leg.scheduled_arrival_time_est",
        )
      }.( [[$a, $merge([$, {'date': $date2}])]] ) )])`,
  },
  checked({
    name: "send_certificate",
    description: "Send a certificate to a user. Be careful!",
    parameters: {
      type: "object",
      properties: {
        user_id: str("The ID of the user to book the reservation, such as 'sara_doe_496'."),
        amount: int("The amount of the certificate to send."),
      },
      required: ["user_id", "amount"],
    },
    effect: {
      users: `(${USER} $id := ${CERT_ID}; [state.users.(user_id = $args.user_id ? $merge([$, ` +
        "{'payment_methods': $merge([payment_methods, {$id: {'source': 'certificate', 'id': $id, " +
        "'amount': $args.amount}}])}]) : $)])",
    },
    result: `(${USER} 'Certificate ' & ${CERT_ID_AFTER} & ' added to user ' & $args.user_id & ` +
      "' with amount ' & $string($args.amount) & '.')",
  }, `${USER}${USER_NOT_FOUND} : $not($exists(${CERT_ID})) ? 'Too many certificates'`),
  {
    name: "transfer_to_human_agents",
    description: "Transfer the user to a human agent, with a summary of the user's issue.\n\n" +
      "Only transfer if\n -  the user explicitly asks for a human agent\n -  given the policy " +
      "and the available tools, you cannot solve the user's issue.",
    parameters: {
      type: "object",
      properties: { summary: str("A summary of the user's issue.") },
      required: ["summary"],
    },
    result: "'Transfer successful'",
  },
  checked({
    name: "update_reservation_baggages",
    description: "Update the baggage information of a reservation.",
    parameters: {
      type: "object",
      properties: {
        reservation_id: str("The reservation ID, such as 'ZFA04Y'"),
        total_baggages: int(
          "The updated total number of baggage items included in the reservation.",
        ),
        nonfree_baggages: int(
          "The updated number of non-free baggage items included in the reservation.",
        ),
        payment_id: PAYMENT_ID,
      },
      required: ["reservation_id", "total_baggages", "nonfree_baggages", "payment_id"],
    },
    effect: {
      reservations: `(${RES}${BAGS_PRICE} ${
        updateRes(
          `${WITH_PAYMENT}, 'total_baggages': $args.total_baggages, ` +
            "'nonfree_baggages': $args.nonfree_baggages",
        )
      })`,
      users: `(${RES}${BAGS_PRICE} ${UPDATE_PAYMENT_USERS})`,
    },
    result: "state.reservations[reservation_id = $args.reservation_id]",
  }, `${RES}${BAGS_PRICE}${RES_NOT_FOUND} : ${RES_USER_NOT_FOUND} : (${UPDATE_PAYMENT_CHECK})`),
  checked(
    {
      name: "update_reservation_flights",
      description: "Update the flight information of a reservation.",
      parameters: {
        type: "object",
        properties: {
          reservation_id: str("The reservation ID, such as 'ZFA04Y'."),
          cabin: CABIN,
          flights: FLIGHTS(
            "An array of objects containing details about each piece of flight in the ENTIRE " +
              "new reservation. Even if the a flight segment is not changed, it should still be " +
              "included in the array.",
          ),
          payment_id: PAYMENT_ID,
        },
        required: ["reservation_id", "cabin", "flights", "payment_id"],
      },
      // Seats are not moved: tau2's tool leaves the flights as they are.
      effect: {
        reservations: `(${RES}${NEW_FLIGHTS}${FLIGHTS_PRICE} ${
          updateRes(`'flights': $newFlights, 'cabin': $args.cabin, ${WITH_PAYMENT}`)
        })`,
        users: `(${RES}${NEW_FLIGHTS}${FLIGHTS_PRICE} ${UPDATE_PAYMENT_USERS})`,
      },
      result: "state.reservations[reservation_id = $args.reservation_id]",
    },
    `${RES}$n := $count($res.passengers); ${RES_NOT_FOUND} : ${RES_USER_NOT_FOUND} : (` +
      `$flightErrors := ${
        flightErrors("$args.flights", {
          cabin: "$args.cabin",
          n: "$n",
          skip: `$exists(${kept("$f")})`,
        })
      }; ` +
      `$exists($flightErrors) ? $flightErrors[0] : (${NEW_FLIGHTS}${FLIGHTS_PRICE}` +
      `${UPDATE_PAYMENT_CHECK}))`,
  ),
  checked(
    {
      name: "update_reservation_passengers",
      description: "Update the passenger information of a reservation.",
      parameters: {
        type: "object",
        properties: {
          reservation_id: str("The reservation ID, such as 'ZFA04Y'."),
          passengers: PASSENGERS,
        },
        required: ["reservation_id", "passengers"],
      },
      effect: {
        reservations: `(${RES} ${
          updateRes(
            "'passengers': [$args.passengers.({'first_name': first_name, 'last_name': last_name, " +
              "'dob': dob})]",
          )
        })`,
      },
      result: "state.reservations[reservation_id = $args.reservation_id]",
    },
    `${RES}${RES_NOT_FOUND} : $count($args.passengers) != $count($res.passengers) ? ` +
      "'Number of passengers does not match'",
  ),
  checked(
    {
      name: "get_flight_status",
      description: "Get the status of a flight.",
      parameters: {
        type: "object",
        properties: {
          flight_number: str("The flight number."),
          date: str("The date of the flight."),
        },
        required: ["flight_number", "date"],
      },
      result:
        "$lookup(state.flights[flight_number = $args.flight_number].dates, $args.date).status",
    },
    "$not($args.flight_number in state.flights.flight_number) ? 'Flight ' & $args.flight_number & " +
      "' not found' : $not($exists($lookup(state.flights[flight_number = $args.flight_number].dates, " +
      "$args.date))) ? 'Flight ' & $args.flight_number & ' not found on date ' & $args.date",
  ),
];

/**
 * tau2-bench's `airline` domain (src/tau2/domains/airline): flights with a status, seats and
 * prices per date, users with payment methods (credit cards, gift cards, certificates) and
 * reservations. The 14 tools are tooltrial's own JSONata rewrite of tools.py, with its names,
 * parameters, checks (in the same order), error messages, results and writes — the same
 * reservation ids (HATHAT, HATHAU, HATHAV), certificate ids and `created_at`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AIRLINE_DOMAIN } from "./tau2_airline.ts";
 * assert.equal(AIRLINE_DOMAIN.tools.length, 14);
 * ```
 */
export const AIRLINE_DOMAIN: Tau2Domain = {
  name: "airline",
  description: "tau2-bench's airline domain: flights, users with their payment methods, and " +
    "reservations to book, change and cancel under a detailed policy.",
  tables: {
    flights: { key: "flight_number" },
    users: { key: "user_id" },
    reservations: { key: "reservation_id" },
  },
  reads: [
    "get_flight_status",
    "get_reservation_details",
    "get_user_details",
    "list_all_airports",
    "search_direct_flight",
    "search_onestop_flight",
  ],
  tools: [BOOK, ...OTHERS].sort((a, b) => String(a.name).localeCompare(String(b.name))),
  assertions: {},
};
