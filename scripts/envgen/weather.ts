import {
  csv,
  type GenEnv,
  type GenTask,
  longDate,
  q,
  REFUSAL,
  Rng,
  round,
  splitOf,
} from "./common.ts";

// name, country, lat, lon, timezone, base winter temperature (°C)
const CITIES: [string, string, number, number, string, number][] = [
  ["Lisbon", "Portugal", 38.72, -9.14, "Europe/Lisbon", 12],
  ["Porto", "Portugal", 41.15, -8.61, "Europe/Lisbon", 10],
  ["Madrid", "Spain", 40.42, -3.7, "Europe/Madrid", 7],
  ["Valencia", "Spain", 39.47, -0.38, "Europe/Madrid", 11],
  ["Córdoba", "Spain", 37.88, -4.78, "Europe/Madrid", 10],
  ["Seville", "Spain", 37.39, -5.98, "Europe/Madrid", 12],
  ["Oslo", "Norway", 59.91, 10.75, "Europe/Oslo", -4],
  ["Bergen", "Norway", 60.39, 5.32, "Europe/Oslo", 2],
  ["Tromsø", "Norway", 69.65, 18.96, "Europe/Oslo", -6],
  ["Warsaw", "Poland", 52.23, 21.01, "Europe/Warsaw", -2],
  ["Kraków", "Poland", 50.06, 19.94, "Europe/Warsaw", -1],
  ["Gdańsk", "Poland", 54.35, 18.65, "Europe/Warsaw", 0],
  ["Athens", "Greece", 37.98, 23.73, "Europe/Athens", 11],
  ["Thessaloniki", "Greece", 40.64, 22.94, "Europe/Athens", 6],
  ["Buenos Aires", "Argentina", -34.6, -58.38, "America/Argentina/Buenos_Aires", 29],
  ["Córdoba", "Argentina", -31.42, -64.18, "America/Argentina/Cordoba", 30],
  ["Mendoza", "Argentina", -32.89, -68.84, "America/Argentina/Mendoza", 31],
  ["Caracas", "Venezuela", 10.48, -66.9, "America/Caracas", 26],
  ["Valencia", "Venezuela", 10.16, -68.0, "America/Caracas", 30],
  ["Maracaibo", "Venezuela", 10.65, -71.64, "America/Caracas", 32],
  ["Nairobi", "Kenya", -1.29, 36.82, "Africa/Nairobi", 25],
  ["Mombasa", "Kenya", -4.04, 39.67, "Africa/Nairobi", 31],
  ["Kisumu", "Kenya", -0.09, 34.77, "Africa/Nairobi", 29],
  ["Hanoi", "Vietnam", 21.03, 105.85, "Asia/Ho_Chi_Minh", 19],
  ["Da Nang", "Vietnam", 16.05, 108.2, "Asia/Ho_Chi_Minh", 24],
  ["Hue", "Vietnam", 16.46, 107.59, "Asia/Ho_Chi_Minh", 22],
  ["Ottawa", "Canada", 45.42, -75.7, "America/Toronto", -10],
  ["Vancouver", "Canada", 49.28, -123.12, "America/Vancouver", 5],
  ["Halifax", "Canada", 44.65, -63.57, "America/Halifax", -3],
  ["Wellington", "New Zealand", -41.29, 174.78, "Pacific/Auckland", 20],
  ["Christchurch", "New Zealand", -43.53, 172.64, "Pacific/Auckland", 22],
  ["Dunedin", "New Zealand", -45.87, 170.5, "Pacific/Auckland", 19],
];
const CAPITALS: Record<string, [string, string, number]> = {
  Portugal: ["Lisbon", "EUR", 10.4],
  Spain: ["Madrid", "EUR", 48.6],
  Norway: ["Oslo", "NOK", 5.5],
  Poland: ["Warsaw", "PLN", 36.7],
  Greece: ["Athens", "EUR", 10.4],
  Argentina: ["Buenos Aires", "ARS", 46.2],
  Venezuela: ["Caracas", "VES", 28.3],
  Kenya: ["Nairobi", "KES", 55.1],
  Vietnam: ["Hanoi", "VND", 100.3],
  Canada: ["Ottawa", "CAD", 40.1],
  "New Zealand": ["Wellington", "NZD", 5.2],
};
const CONDITIONS = [
  "sunny",
  "partly cloudy",
  "cloudy",
  "overcast",
  "light rain",
  "showers",
  "heavy rain",
  "light snow",
  "heavy snow",
];
/** A condition the answer must name, excluding the longer conditions that contain it ("partly cloudy" for "cloudy"). */
const cond = (c: unknown) => {
  const longer = CONDITIONS.filter((x) => x !== c && x.includes(String(c)));
  return longer.length ? { contains: [String(c)], excludes: longer } : { contains: [String(c)] };
};
const DATES = [
  "2026-01-15",
  "2026-01-16",
  "2026-01-17",
  "2026-01-18",
  "2026-01-19",
  "2026-01-20",
  "2026-01-21",
];
const ALERTS: [string, string, string][] = [
  ["wind", "moderate", "Gale-force gusts expected along the coast"],
  ["snow", "severe", "Heavy snowfall, 20–30 cm, travel disruption likely"],
  ["heat", "moderate", "High temperatures; limit outdoor activity at midday"],
  ["flood", "severe", "River levels rising after persistent rain"],
  ["ice", "minor", "Black ice on untreated roads overnight"],
  ["thunderstorm", "moderate", "Thunderstorms with hail in the afternoon"],
  ["fog", "minor", "Dense fog reducing visibility below 200 m"],
];

/** Skyline Weather: cities, countries, a 7-day forecast, alerts and air quality. */
export function weather(seed: number): GenEnv {
  const rng = new Rng(seed);
  const cities = CITIES.map(([name, country, lat, lon, timezone], i) => ({
    city_id: `CY-${String(i + 1).padStart(3, "0")}`,
    name,
    country,
    lat,
    lon,
    timezone,
    population: rng.int(80, 3200) * 1000 + rng.int(0, 999),
    elevation_m: rng.int(2, 900),
  }));
  const byName = (n: string, c?: string) =>
    cities.find((x) => x.name === n && (!c || x.country === c))!;
  const countries = Object.entries(CAPITALS).map(([name, [cap, currency, pop]]) => ({
    country: name,
    capital_city_id: byName(cap, name).city_id,
    currency,
    population_millions: pop,
  }));
  const forecasts: Record<string, unknown>[] = [];
  for (const [k, c] of cities.entries()) {
    const base = CITIES[k][5];
    for (const date of DATES) {
      const high = base + rng.int(-4, 5);
      const precip = rng.chance(0.45) ? rng.amount(0.2, 28, 1) : 0;
      const condition = precip > 12
        ? (high <= 0 ? "heavy snow" : "heavy rain")
        : precip > 0
        ? (high <= 0 ? "light snow" : rng.pick(["light rain", "showers"]))
        : rng.pick(["sunny", "partly cloudy", "cloudy", "overcast"]);
      forecasts.push({
        city_id: c.city_id,
        date,
        condition,
        high_c: high,
        low_c: high - rng.int(3, 11),
        precip_mm: precip,
        wind_kph: rng.int(3, 55),
        humidity_pct: rng.int(35, 95),
      });
    }
  }
  const alerts: Record<string, unknown>[] = [];
  for (const c of rng.shuffle(cities).slice(0, 14)) {
    const [type, severity, headline] = rng.pick(ALERTS);
    const start = rng.int(0, 4);
    alerts.push({
      alert_id: `AL-${601 + alerts.length}`,
      city_id: c.city_id,
      type,
      severity,
      headline,
      starts: DATES[start],
      ends: DATES[start + rng.int(1, 2)],
    });
  }
  const air = cities.map((c) => {
    const aqi = rng.int(12, 180);
    return {
      city_id: c.city_id,
      aqi,
      pm25: round(aqi * 0.31 + rng.next() * 4, 1),
      category: aqi <= 50
        ? "good"
        : aqi <= 100
        ? "moderate"
        : aqi <= 150
        ? "unhealthy for sensitive groups"
        : "unhealthy",
    };
  });

  const fc = (id: string) => forecasts.filter((f) => f.city_id === id);
  const dup = (c: typeof cities[number]) => cities.filter((x) => x.name === c.name).length > 1;
  const tasks: GenTask[] = [];
  const add = (t: Omit<GenTask, "id">) =>
    tasks.push({ id: `weather-${String(tasks.length + 1).padStart(3, "0")}`, ...t });
  const uniq = rng.shuffle(cities.filter((c) => !dup(c)));
  let ui = 0;
  const city = () => uniq[ui++ % uniq.length];
  const findArgs = (
    c: typeof cities[number],
  ) => (dup(c) ? { name: c.name, country: c.country } : { name: c.name });
  const inCity = (c: typeof cities[number]) => (dup(c) ? `${c.name}, ${c.country}` : c.name);

  // 1. the high on a date (name → id → forecast)
  for (let i = 0; i < 6; i++) {
    const c = city(), date = DATES[1 + (i % 6)];
    const f = fc(c.city_id).find((f) => f.date === date)!;
    add({
      query: `What high temperature is forecast for ${c.name} on ${longDate(date)}, in °C?`,
      split: splitOf(i),
      tags: ["read", "multi-step", "multi-hop"],
      gold: [
        { tool: "find_city", args: { name: c.name } },
        { tool: "get_forecast", args: { city_id: c.city_id, date } },
      ],
      answer: `${c.name}: a high of ${f.high_c} °C on ${date} (${f.condition}).`,
      check: { answer: { number: { value: Number(f.high_c), tol: 0 } } },
    });
  }
  // 2. a city whose name two countries share: the country disambiguates
  const dups = cities.filter(dup);
  dups.forEach((c, i) => {
    const date = DATES[2 + i];
    const f = fc(c.city_id).find((f) => f.date === date)!;
    add({
      query: `What are the conditions expected in ${c.name}, ${c.country} on ${longDate(date)}?`,
      split: splitOf(i),
      tags: ["read", "multi-step", "multi-hop", "disambiguation"],
      gold: [
        { tool: "find_city", args: { name: c.name, country: c.country } },
        { tool: "get_forecast", args: { city_id: c.city_id, date } },
      ],
      answer: `${c.name} (${c.country}) on ${date}: ${f.condition}, ${f.low_c} to ${f.high_c} °C.`,
      check: {
        answer: { ...cond(f.condition), number: { value: Number(f.high_c), tol: 0 } },
      },
    });
  });
  // 3. the wettest day of the week (unique maximum)
  let made = 0;
  for (const c of rng.shuffle(cities)) {
    if (made >= 6) break;
    const days = [...fc(c.city_id)].sort((a, b) => Number(b.precip_mm) - Number(a.precip_mm));
    if (Number(days[0].precip_mm) === 0 || days[0].precip_mm === days[1].precip_mm) continue;
    add({
      query: `Which day between January 15 and 21 is forecast to be the wettest in ${inCity(c)}?`,
      split: splitOf(made),
      tags: ["read", "multi-step", "multi-hop", "filter"],
      gold: [
        { tool: "find_city", args: findArgs(c) },
        { tool: "get_forecast", args: { city_id: c.city_id } },
      ],
      answer: `${days[0].date}, with ${days[0].precip_mm} mm of ${days[0].condition}.`,
      check: {
        answer: {
          regex: `${days[0].date}|${longDate(String(days[0].date)).replace(", 2026", "")}`,
        },
      },
    });
    made++;
  }
  // 4. the weather in a country's capital (country → capital id → forecast)
  rng.shuffle(countries).slice(0, 6).forEach((co, i) => {
    const date = DATES[1 + i];
    const f = fc(co.capital_city_id).find((f) => f.date === date)!;
    const cap = cities.find((c) => c.city_id === co.capital_city_id)!;
    add({
      query: `What's the forecast for the capital of ${co.country} on ${
        longDate(date)
      }? Give the conditions and the high.`,
      split: splitOf(i),
      tags: ["read", "multi-step", "multi-hop"],
      gold: [
        { tool: "get_country", args: { country: co.country } },
        { tool: "get_forecast", args: { city_id: co.capital_city_id, date } },
      ],
      answer: `${cap.name} on ${date}: ${f.condition}, high ${f.high_c} °C.`,
      check: {
        answer: { ...cond(f.condition), number: { value: Number(f.high_c), tol: 0 } },
      },
    });
  });
  // 5. the one active alert of a city
  const oneAlert = rng.shuffle(cities).filter((c) =>
    !dup(c) && alerts.filter((a) => a.city_id === c.city_id).length === 1
  );
  oneAlert.slice(0, 6).forEach((c, i) => {
    const a = alerts.find((a) => a.city_id === c.city_id)!;
    add({
      query:
        `Is there a weather alert for ${c.name}? If so, what kind, how severe, and until when?`,
      split: splitOf(i),
      tags: ["read", "multi-step", "multi-hop"],
      gold: [
        { tool: "find_city", args: { name: c.name } },
        { tool: "list_alerts", args: { city_id: c.city_id } },
      ],
      answer: `Yes: a ${a.severity} ${a.type} alert (${a.headline}) until ${a.ends}.`,
      check: {
        answer: {
          contains: [String(a.type), String(a.severity)],
          regex: `${a.ends}|${longDate(String(a.ends)).replace(", 2026", "")}`,
        },
      },
    });
  });
  // 6. air quality by city id
  rng.shuffle(air).slice(0, 9).forEach((a, i) => {
    const c = cities.find((c) => c.city_id === a.city_id)!;
    add({
      query: `What is the air quality index in city ${a.city_id} right now?`,
      split: splitOf(i),
      tags: ["read", "single-step"],
      gold: [{ tool: "get_air_quality", args: { city_id: a.city_id } }],
      answer: `${c.name}: AQI ${a.aqi} (${a.category}).`,
      check: { answer: { number: { value: a.aqi, tol: 0 } } },
    });
  });
  // 7. elevation by city id
  rng.shuffle(cities).slice(0, 9).forEach((c, i) =>
    add({
      query: `How high above sea level is city ${c.city_id}, in metres?`,
      split: splitOf(i),
      tags: ["read", "single-step"],
      gold: [{ tool: "get_city", args: { city_id: c.city_id } }],
      answer: `${c.name} lies ${c.elevation_m} m above sea level.`,
      check: { answer: { number: { value: c.elevation_m, tol: 0 } } },
    })
  );
  // 8. subscribe someone to a city's alerts (write)
  const emails = [
    "ops@harbourlogistics.example",
    "duty.manager@fieldworks.example",
    "alerts@greenway-events.example",
    "kiosk@alpinehuts.example",
    "night.desk@cityherald.example",
    "safety@coastline-ferries.example",
  ];
  for (let i = 0; i < 6; i++) {
    const c = city(), sev = ["minor", "moderate", "severe"][i % 3];
    add({
      query: `Subscribe ${emails[i]} to weather alerts for ${c.name}, ${sev} severity and above.`,
      split: splitOf(i),
      tags: ["write", "multi-step", "multi-hop"],
      gold: [
        { tool: "find_city", args: { name: c.name } },
        {
          tool: "subscribe_alerts",
          args: { city_id: c.city_id, email: emails[i], min_severity: sev },
        },
      ],
      answer: `Subscribed ${emails[i]} to ${sev}+ alerts for ${c.name} (subscription SUB-1).`,
      check: {
        answer: { contains: [c.name] },
        state: `$count(state.subscriptions) = 1 and state.subscriptions[0].city_id = ${
          q(c.city_id)
        } and state.subscriptions[0].email = ${
          q(emails[i])
        } and state.subscriptions[0].min_severity = ${q(sev)}`,
      },
    });
  }
  // 9. the capital's population (held-out shape)
  rng.shuffle(countries).slice(0, 4).forEach((co) => {
    const cap = cities.find((c) => c.city_id === co.capital_city_id)!;
    add({
      query: `How many people live in the capital city of ${co.country}?`,
      split: "unseen",
      tags: ["read", "multi-hop"],
      gold: [
        { tool: "get_country", args: { country: co.country } },
        { tool: "get_city", args: { city_id: cap.city_id } },
      ],
      answer: `${cap.name} has ${cap.population} inhabitants.`,
      check: { answer: { contains: [cap.name], number: { value: cap.population, tol: 0 } } },
    });
  });
  // 10. the coldest night of the week (held-out shape)
  made = 0;
  for (const c of rng.shuffle(cities.filter((c) => !dup(c)))) {
    if (made >= 4) break;
    const lows = fc(c.city_id).map((f) => Number(f.low_c));
    const min = Math.min(...lows);
    if (lows.filter((x) => x === min).length > 1) continue;
    const day = fc(c.city_id).find((f) => f.low_c === min)!;
    add({
      query:
        `What is the lowest temperature forecast for ${c.name} over January 15–21, and on which night?`,
      split: "unseen",
      tags: ["read", "multi-step", "multi-hop", "filter"],
      gold: [
        { tool: "find_city", args: { name: c.name } },
        { tool: "get_forecast", args: { city_id: c.city_id } },
      ],
      answer: `${min} °C, on ${day.date}.`,
      check: {
        answer: {
          number: { value: min, tol: 0 },
          regex: `${day.date}|${longDate(String(day.date)).replace(", 2026", "")}`,
        },
      },
    });
    made++;
  }
  // 11. nothing here can do it
  [
    [
      "What was the weather in {city} on January 15, 1990?",
      "the tools only have the current week's forecast, no historical records",
    ],
    ["Will there be an earthquake near {city} this month?", "no tool predicts earthquakes"],
    [
      "Send an SMS to all subscribers in {city} that the marathon is cancelled.",
      "no tool sends messages",
    ],
    ["Give me tomorrow's high and low tide times for {city}.", "no tool has tide tables"],
  ].forEach(([text, why], i) => {
    const c = city();
    add({
      query: text.replace("{city}", c.name),
      split: splitOf(i),
      tags: ["no-tool"],
      gold: [],
      answer: `I can't do that: ${why}.`,
      check: { answer: { regex: REFUSAL }, state: "$count(state.subscriptions) = 0" },
    });
  });

  return {
    name: "weather",
    files: {
      "cities.csv": csv(cities, [
        "city_id",
        "name",
        "country",
        "lat",
        "lon",
        "timezone",
        "population",
        "elevation_m",
      ]),
      "countries.csv": csv(countries, [
        "country",
        "capital_city_id",
        "currency",
        "population_millions",
      ]),
      "forecasts.csv": csv(forecasts, [
        "city_id",
        "date",
        "condition",
        "high_c",
        "low_c",
        "precip_mm",
        "wind_kph",
        "humidity_pct",
      ]),
      "alerts.csv": csv(alerts, [
        "alert_id",
        "city_id",
        "type",
        "severity",
        "headline",
        "starts",
        "ends",
      ]),
      "air_quality.csv": csv(air, ["city_id", "aqi", "pm25", "category"]),
    },
    tasks,
  };
}
