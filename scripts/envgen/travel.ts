import {
  csv,
  type GenEnv,
  type GenTask,
  longDate,
  money,
  people,
  q,
  REFUSAL,
  Rng,
  round,
  splitOf,
} from "./common.ts";

const AIRPORTS = [
  ["LIS", "Lisbon", "Portugal", "Humberto Delgado Airport"],
  ["MAD", "Madrid", "Spain", "Adolfo Suárez Madrid–Barajas"],
  ["BCN", "Barcelona", "Spain", "Josep Tarradellas Barcelona–El Prat"],
  ["CDG", "Paris", "France", "Charles de Gaulle"],
  ["AMS", "Amsterdam", "Netherlands", "Schiphol"],
  ["FRA", "Frankfurt", "Germany", "Frankfurt am Main"],
  ["FCO", "Rome", "Italy", "Leonardo da Vinci–Fiumicino"],
  ["ATH", "Athens", "Greece", "Athens International Eleftherios Venizelos"],
  ["VIE", "Vienna", "Austria", "Vienna International"],
  ["CPH", "Copenhagen", "Denmark", "Copenhagen Kastrup"],
  ["DUB", "Dublin", "Ireland", "Dublin Airport"],
  ["PRG", "Prague", "Czechia", "Václav Havel Airport Prague"],
];
const AIRLINES = [["TP", "Atlantica Air"], ["VY", "Vela Airways"], ["LX", "Alpine Connect"], [
  "SK",
  "Nordic Sky",
], ["EI", "Emerald Wings"]];
const HOTEL_WORDS = [
  "Aurora",
  "Bellevue",
  "Harbour View",
  "Old Town Inn",
  "Grand Central",
  "Linden",
  "Meridian Suites",
  "Cobblestone",
];
const DATES = ["2026-01-20", "2026-01-21", "2026-01-22", "2026-01-23", "2026-01-24"];

const hhmm = (min: number) =>
  `${String(Math.floor(min / 60) % 24).padStart(2, "0")}:${String(min % 60).padStart(2, "0")}`;

/** Compass Travel desk: airports, flights, hotels, travelers and their bookings. */
export function travel(seed: number): GenEnv {
  const rng = new Rng(seed);
  const airports = AIRPORTS.map(([code, city, country, name]) => ({ code, city, country, name }));
  const routes: [string, string][] = [];
  for (const a of airports) {
    for (const b of rng.shuffle(airports).filter((b) => b !== a).slice(0, 3)) {
      if (!routes.some(([x, y]) => x === a.code && y === b.code)) routes.push([a.code, b.code]);
    }
  }
  const flights: Record<string, unknown>[] = [];
  const used = new Set<string>();
  for (const [o, d] of routes) {
    const dur = rng.int(95, 230);
    for (const date of DATES) {
      const n = rng.int(1, 3);
      for (let k = 0; k < n; k++) {
        const [code, airline] = rng.pick(AIRLINES);
        let id: string;
        do id = `${code}${rng.int(100, 2999)}`; while (used.has(id));
        used.add(id);
        const dep = rng.int(6 * 12, 21 * 12) * 5;
        flights.push({
          flight_id: id,
          airline,
          origin: o,
          destination: d,
          date,
          depart: hhmm(dep),
          arrive: hhmm(dep + dur),
          duration_min: dur,
          price: rng.int(39, 389) + 0.99,
          seats_left: rng.int(1, 60),
        });
      }
    }
  }
  const hotels: Record<string, unknown>[] = [];
  let h = 301;
  for (const a of airports) {
    for (const w of rng.shuffle(HOTEL_WORDS).slice(0, 5)) {
      const stars = rng.int(2, 5);
      hotels.push({
        hotel_id: `H-${h++}`,
        name: `${w} ${a.city}`,
        city: a.city,
        stars,
        price_per_night: rng.int(35, 70) * stars + rng.pick([0, 5, 9]),
        rating: round(6 + rng.next() * 3.8, 1),
      });
    }
  }
  const names = people(rng, 24);
  const travelers = names.map((name, i) => ({
    traveler_id: `TRV-${201 + i}`,
    name,
    email: `${
      name.toLowerCase().normalize("NFD").replace(/[^a-z ]/g, "").replace(" ", "_")
    }@travel.example`,
    loyalty: rng.pick(["none", "silver", "gold"]),
  }));
  const bookings: Record<string, unknown>[] = [];
  for (const t of travelers) {
    const nb = rng.int(0, 3);
    for (let k = 0; k < nb; k++) {
      const id = `BK-${7001 + bookings.length}`;
      if (rng.chance(0.5)) {
        const f = rng.pick(flights);
        bookings.push({
          booking_id: id,
          traveler_id: t.traveler_id,
          type: "flight",
          ref: f.flight_id,
          date: f.date,
          nights: null,
          total: f.price,
          status: rng.chance(0.8) ? "confirmed" : "cancelled",
        });
      } else {
        const ho = rng.pick(hotels);
        const nights = rng.int(1, 5);
        bookings.push({
          booking_id: id,
          traveler_id: t.traveler_id,
          type: "hotel",
          ref: ho.hotel_id,
          date: rng.pick(DATES),
          nights,
          total: round(Number(ho.price_per_night) * nights),
          status: rng.chance(0.8) ? "confirmed" : "cancelled",
        });
      }
    }
  }

  const ap = (code: string) => airports.find((a) => a.code === code)!;
  const on = (o: string, d: string, date: string) =>
    flights.filter((f) => f.origin === o && f.destination === d && f.date === date);
  const cheapest = (fs: Record<string, unknown>[]) => {
    const s = [...fs].sort((a, b) => Number(a.price) - Number(b.price));
    return s.length === 1 || s[0].price !== s[1].price ? s[0] : undefined;
  };
  const tasks: GenTask[] = [];
  const add = (t: Omit<GenTask, "id">) =>
    tasks.push({ id: `travel-${String(tasks.length + 1).padStart(3, "0")}`, ...t });
  // (route, date) slots with several flights and a unique cheapest, each used once
  const slots = rng.shuffle(routes.flatMap(([o, d]) => DATES.map((date) => ({ o, d, date }))))
    .filter((s) => on(s.o, s.d, s.date).length >= 2 && cheapest(on(s.o, s.d, s.date)));
  let si = 0;
  const slot = () => slots[si++];
  const tpool = rng.shuffle(travelers);
  let ti = 0;
  const traveler = () => tpool[ti++ % tpool.length];

  // 1. cheapest flight, airport codes given
  for (let i = 0; i < 9; i++) {
    const s = slot(), f = cheapest(on(s.o, s.d, s.date))!;
    add({
      query: `What is the cheapest flight from ${s.o} to ${s.d} on ${
        longDate(s.date)
      }? Give the flight number and fare.`,
      split: splitOf(i),
      tags: ["read", "single-step", "filter"],
      gold: [{ tool: "search_flights", args: { origin: s.o, destination: s.d, date: s.date } }],
      answer: `${f.flight_id} (${f.airline}) at €${money(Number(f.price))}, departing ${f.depart}.`,
      check: {
        answer: { contains: [String(f.flight_id)], number: { value: Number(f.price), tol: 0.005 } },
      },
    });
  }
  // 2. cheapest flight, city names given (city → airport code → search)
  for (let i = 0; i < 6; i++) {
    const s = slot(), f = cheapest(on(s.o, s.d, s.date))!;
    add({
      query: `I need the cheapest flight from ${ap(s.o).city} to ${ap(s.d).city} on ${
        longDate(s.date)
      }. Which flight is it?`,
      split: splitOf(i),
      tags: ["read", "multi-step", "multi-hop"],
      gold: [
        { tool: "find_airport", args: { query: ap(s.o).city } },
        { tool: "find_airport", args: { query: ap(s.d).city } },
        { tool: "search_flights", args: { origin: s.o, destination: s.d, date: s.date } },
      ],
      answer: `${f.flight_id} (${f.airline}), €${money(Number(f.price))}, ${f.depart}–${f.arrive}.`,
      check: { answer: { contains: [String(f.flight_id)] } },
    });
  }
  // 3. arrival time of a flight
  rng.shuffle(flights).slice(0, 9).forEach((f, i) =>
    add({
      query: `What time does flight ${f.flight_id} on ${
        longDate(String(f.date))
      } arrive (local time)?`,
      split: splitOf(i),
      tags: ["read", "single-step"],
      gold: [{ tool: "get_flight", args: { flight_id: f.flight_id } }],
      answer: `${f.flight_id} arrives at ${f.arrive}.`,
      check: { answer: { contains: [String(f.arrive)] } },
    })
  );
  // 4. which city a flight lands in (flight → airport code → city)
  rng.shuffle(flights).slice(0, 9).forEach((f, i) =>
    add({
      query: `Which city does flight ${f.flight_id} fly to, and in which country is it?`,
      split: splitOf(i),
      tags: ["read", "multi-hop"],
      gold: [
        { tool: "get_flight", args: { flight_id: f.flight_id } },
        { tool: "find_airport", args: { query: f.destination } },
      ],
      answer: `${f.flight_id} lands at ${f.destination} in ${ap(String(f.destination)).city}, ${
        ap(String(f.destination)).country
      }.`,
      check: {
        answer: { contains: [ap(String(f.destination)).city, ap(String(f.destination)).country] },
      },
    })
  );
  // 5. cheapest hotel with at least N stars
  const hotelAsks = rng.shuffle(airports).flatMap((a) =>
    [3, 4].map((min) => {
      const hs = hotels.filter((x) => x.city === a.city && Number(x.stars) >= min)
        .sort((x, y) => Number(x.price_per_night) - Number(y.price_per_night));
      return hs.length >= 2 && hs[0].price_per_night !== hs[1].price_per_night
        ? { a, min, best: hs[0] }
        : undefined;
    })
  ).filter((x) => x !== undefined);
  const seenCity = new Set<string>();
  const hotelPicks = hotelAsks.filter((x) => !seenCity.has(x.a.city) && seenCity.add(x.a.city));
  hotelPicks.slice(0, 6).forEach(({ a, min, best }, i) =>
    add({
      query:
        `What is the cheapest hotel in ${a.city} with at least ${min} stars, and what does a night cost?`,
      split: splitOf(i),
      tags: ["read", "single-step", "filter"],
      gold: [{ tool: "search_hotels", args: { city: a.city, min_stars: min } }],
      answer: `${best.name} (${best.stars} stars) at €${best.price_per_night} per night.`,
      check: {
        answer: {
          contains: [String(best.name)],
          number: { value: Number(best.price_per_night), tol: 0.005 },
        },
      },
    })
  );
  // 6. book the cheapest flight for a traveler (write)
  for (let i = 0; i < 6; i++) {
    const s = slot(), f = cheapest(on(s.o, s.d, s.date))!, t = traveler();
    const id = `BK-${7001 + bookings.length}`;
    add({
      query: `Book ${t.name} on the cheapest flight from ${s.o} to ${s.d} on ${
        longDate(s.date)
      } and give me the booking reference.`,
      split: splitOf(i),
      tags: ["write", "multi-step", "multi-hop"],
      gold: [
        { tool: "find_traveler", args: { name: t.name } },
        { tool: "search_flights", args: { origin: s.o, destination: s.d, date: s.date } },
        { tool: "book_flight", args: { traveler_id: t.traveler_id, flight_id: f.flight_id } },
      ],
      answer: `Booked ${t.name} on ${f.flight_id} (€${
        money(Number(f.price))
      }); booking reference ${id}.`,
      check: {
        answer: { contains: [id] },
        state: `$count(state.bookings) = ${
          bookings.length + 1
        } and $count(state.bookings[traveler_id = ${q(t.traveler_id)} and ref = ${
          q(String(f.flight_id))
        } and status = 'confirmed']) >= 1 and state.flights[flight_id = ${
          q(String(f.flight_id))
        }].seats_left = ${Number(f.seats_left) - 1}`,
      },
    });
  }
  // 7. book a hotel for some nights (write; the total is nights × rate)
  hotelPicks.slice(6, 12).forEach(({ a, min, best }, i) => {
    const t = traveler(), nights = rng.int(2, 5), date = rng.pick(DATES);
    const total = Number(best.price_per_night) * nights;
    add({
      query:
        `Book ${t.name} into the cheapest hotel in ${a.city} with at least ${min} stars, checking in on ${
          longDate(date)
        } for ${nights} nights. What will the stay cost in total?`,
      split: splitOf(i),
      tags: ["write", "multi-step", "multi-hop", "compute"],
      gold: [
        { tool: "find_traveler", args: { name: t.name } },
        { tool: "search_hotels", args: { city: a.city, min_stars: min } },
        {
          tool: "book_hotel",
          args: { traveler_id: t.traveler_id, hotel_id: best.hotel_id, check_in: date, nights },
        },
      ],
      answer: `Booked ${best.name} for ${nights} nights from ${date}: €${money(total)} in total.`,
      check: {
        answer: { number: { value: total, tol: 0.005 } },
        state: `$count(state.bookings) = ${
          bookings.length + 1
        } and $count(state.bookings[traveler_id = ${q(t.traveler_id)} and ref = ${
          q(String(best.hotel_id))
        } and date = ${q(date)} and nights = ${nights} and status = 'confirmed']) = 1`,
      },
    });
  });
  // 8. cancel a traveler's only confirmed hotel booking (write, multi-hop)
  const cancellable = rng.shuffle(travelers).filter((t) =>
    bookings.filter((b) =>
      b.traveler_id === t.traveler_id && b.type === "hotel" && b.status === "confirmed"
    ).length === 1
  );
  cancellable.slice(0, 6).forEach((t, i) => {
    const b = bookings.find((b) =>
      b.traveler_id === t.traveler_id && b.type === "hotel" && b.status === "confirmed"
    )!;
    const ho = hotels.find((x) => x.hotel_id === b.ref)!;
    add({
      query:
        `${t.name} can no longer make their hotel stay. Cancel their confirmed hotel booking and tell me which hotel it was.`,
      split: splitOf(i),
      tags: ["write", "multi-step", "multi-hop"],
      gold: [
        { tool: "find_traveler", args: { name: t.name } },
        { tool: "list_bookings", args: { traveler_id: t.traveler_id } },
        { tool: "cancel_booking", args: { booking_id: b.booking_id } },
      ],
      answer: `Cancelled ${b.booking_id}: ${ho.name}, ${b.nights} nights from ${b.date}.`,
      check: {
        answer: { contains: [String(ho.name)] },
        state: `state.bookings[booking_id = ${
          q(String(b.booking_id))
        }].status = 'cancelled' and $count(state.bookings[status = 'cancelled']) = ${
          bookings.filter((x) => x.status === "cancelled").length + 1
        }`,
      },
    });
  });
  // 9. seats left on the earliest flight of a route (held-out shape)
  for (let i = 0; i < 4; i++) {
    const s = slot();
    const f = [...on(s.o, s.d, s.date)].sort((a, b) =>
      String(a.depart).localeCompare(String(b.depart))
    )[0];
    add({
      query: `How many seats are left on the earliest flight from ${s.o} to ${s.d} on ${
        longDate(s.date)
      }?`,
      split: "unseen",
      tags: ["read", "single-step", "filter"],
      gold: [{ tool: "search_flights", args: { origin: s.o, destination: s.d, date: s.date } }],
      answer: `The earliest, ${f.flight_id} at ${f.depart}, has ${f.seats_left} seats left.`,
      check: { answer: { contains: [String(f.flight_id)], regex: `\\b${f.seats_left}\\b` } },
    });
  }
  // 10. how many confirmed bookings a traveler has (held-out shape)
  rng.shuffle(travelers).filter((t) => bookings.some((b) => b.traveler_id === t.traveler_id)).slice(
    0,
    4,
  ).forEach((t) => {
    const k = bookings.filter((b) =>
      b.traveler_id === t.traveler_id && b.status === "confirmed"
    ).length;
    add({
      query: `How many confirmed (not cancelled) bookings does ${t.name} have with us?`,
      split: "unseen",
      tags: ["read", "multi-step", "multi-hop", "compute"],
      gold: [
        { tool: "find_traveler", args: { name: t.name } },
        { tool: "list_bookings", args: { traveler_id: t.traveler_id } },
      ],
      answer: `${t.name} has ${k} confirmed booking${k === 1 ? "" : "s"}.`,
      check: { answer: { regex: k === 0 ? "\\b(0|no|none|zero)\\b" : `\\b${k}\\b` } },
    });
  });
  // 11. nothing here can do it
  [
    [
      "Rent a car for {name} at the airport in Rome on January 22.",
      "none of the tools can book rental cars",
    ],
    ["Does {name} need a visa to visit Athens?", "no tool has visa or entry requirements"],
    [
      "Upgrade {name} to business class on their next flight.",
      "no tool changes fare classes or seats",
    ],
    ["Buy travel insurance for {name}'s trip to Prague.", "no tool sells travel insurance"],
  ].forEach(([text, why], i) => {
    const t = traveler();
    add({
      query: text.replace("{name}", t.name),
      split: splitOf(i),
      tags: ["no-tool"],
      gold: [],
      answer: `I can't do that: ${why}.`,
      check: {
        answer: { regex: REFUSAL },
        state:
          `$count(state.bookings) = ${bookings.length} and $count(state.bookings[status = 'cancelled']) = ${
            bookings.filter((x) => x.status === "cancelled").length
          }`,
      },
    });
  });
  if (si > slots.length) throw new Error("travel: not enough flight slots");

  return {
    name: "travel",
    files: {
      "airports.csv": csv(airports, ["code", "city", "country", "name"]),
      "flights.csv": csv(flights, [
        "flight_id",
        "airline",
        "origin",
        "destination",
        "date",
        "depart",
        "arrive",
        "duration_min",
        "price",
        "seats_left",
      ]),
      "hotels.csv": csv(hotels, ["hotel_id", "name", "city", "stars", "price_per_night", "rating"]),
      "travelers.csv": csv(travelers, ["traveler_id", "name", "email", "loyalty"]),
      "bookings.csv": csv(bookings, [
        "booking_id",
        "traveler_id",
        "type",
        "ref",
        "date",
        "nights",
        "total",
        "status",
      ]),
    },
    tasks,
  };
}
