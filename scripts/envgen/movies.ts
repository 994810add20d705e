import {
  csv,
  type GenEnv,
  type GenTask,
  jsonl,
  people,
  q,
  REFUSAL,
  Rng,
  round,
  splitOf,
} from "./common.ts";

const ADJ = [
  "Silent",
  "Crimson",
  "Hollow",
  "Last",
  "Golden",
  "Broken",
  "Northern",
  "Distant",
  "Quiet",
  "Burning",
  "Frozen",
  "Hidden",
  "Wild",
  "Paper",
  "Iron",
  "Velvet",
];
const NOUN = [
  "Harbor",
  "Orchard",
  "Signal",
  "Frontier",
  "Lantern",
  "Tide",
  "Carnival",
  "Meridian",
  "Kingdom",
  "Archive",
  "Garden",
  "Compass",
  "Echo",
  "Summit",
  "Mirror",
  "Voyage",
];
const PLACE = [
  "Marseille",
  "Osaka",
  "Valparaíso",
  "Tbilisi",
  "Halifax",
  "Accra",
  "Porto Alegre",
  "Tallinn",
  "Hobart",
  "Kraków",
  "Daegu",
  "Galway",
];
const GENRES = [
  "drama",
  "thriller",
  "comedy",
  "science fiction",
  "romance",
  "adventure",
  "horror",
  "animation",
  "documentary",
];
const ROLES = ["Captain", "Doctor", "Inspector", "Professor", "Mayor", "Sister", "Agent", "Pilot"];
const FIRSTS = [
  "Mara",
  "Theo",
  "Lena",
  "Idris",
  "June",
  "Felix",
  "Nina",
  "Oren",
  "Ruth",
  "Silas",
  "Vera",
  "Anton",
];

/** Cinedex: a movie database in the spirit of TMDB, with a personal watchlist and ratings. */
export function movies(seed: number): GenEnv {
  const rng = new Rng(seed);
  const names = people(rng, 70);
  const persons = names.map((name, i) => ({
    person_id: `P-${301 + i}`,
    name,
    born: i < 16 ? rng.int(1940, 1972) : rng.int(1942, 1998),
    birthplace: rng.pick(PLACE),
  }));
  const directors = persons.slice(0, 16);
  const actors = persons.slice(16);
  const titles: string[] = [];
  while (titles.length < 90) {
    const a = rng.pick(ADJ), n = rng.pick(NOUN), n2 = rng.pick(NOUN);
    const t = rng.pick([
      `The ${a} ${n}`,
      `${a} ${n}`,
      `${n} of the ${a} ${n2}`,
      `The ${n} ${n2 === n ? "Road" : n2}`,
    ]);
    const lt = t.toLowerCase();
    if (titles.some((x) => x.toLowerCase().includes(lt) || lt.includes(x.toLowerCase()))) continue;
    titles.push(t);
  }
  const years = new Map<string, Set<number>>();
  const films = titles.map((title, i) => {
    const d = directors[i % directors.length];
    const ys = years.get(d.person_id) ?? new Set<number>();
    let year: number;
    do year = Math.max(d.born + 24, rng.int(1985, 2025)); while (ys.has(year) || year > 2025);
    ys.add(year);
    years.set(d.person_id, ys);
    const gs = rng.shuffle(GENRES).slice(0, rng.int(1, 2));
    const budget = rng.int(2, 180);
    return {
      movie_id: `MV-${1001 + i}`,
      title,
      year,
      genres: gs,
      runtime_min: rng.int(82, 168),
      rating: round(5 + rng.next() * 4.4, 1),
      votes: rng.int(900, 250000),
      director_id: d.person_id,
      budget_musd: budget,
      box_office_musd: round(budget * (0.3 + rng.next() * 5), 1),
    };
  });
  const credits: Record<string, unknown>[] = [];
  for (const f of films) {
    const cast = rng.shuffle(actors).slice(0, 4);
    const chars = rng.shuffle(ROLES).slice(0, 4);
    cast.forEach((p, k) =>
      credits.push({
        movie_id: f.movie_id,
        person_id: p.person_id,
        character: `${chars[k]} ${rng.pick(FIRSTS)}`,
        billing: k + 1,
      })
    );
  }

  const person = (id: string) => persons.find((p) => p.person_id === id)!;
  const castOf = (id: string) => credits.filter((c) => c.movie_id === id);
  const tasks: GenTask[] = [];
  const add = (t: Omit<GenTask, "id">) =>
    tasks.push({ id: `movies-${String(tasks.length + 1).padStart(3, "0")}`, ...t });
  const pool = rng.shuffle(films);
  let fi = 0;
  const film = () => pool[fi++ % pool.length];
  const search = (f: typeof films[number]) => ({ tool: "search_movies", args: { query: f.title } });

  // 1. release year
  for (let i = 0; i < 9; i++) {
    const f = film();
    add({
      query: `What year did "${f.title}" come out?`,
      split: splitOf(i),
      tags: ["read", "single-step"],
      gold: [search(f)],
      answer: `"${f.title}" was released in ${f.year}.`,
      check: { answer: { number: { value: f.year, tol: 0 } } },
    });
  }
  // 2. director (title → movie → person)
  for (let i = 0; i < 9; i++) {
    const f = film(), d = person(f.director_id);
    add({
      query: `Who directed "${f.title}"?`,
      split: splitOf(i),
      tags: ["read", "multi-hop"],
      gold: [search(f), { tool: "get_movie", args: { movie_id: f.movie_id } }, {
        tool: "get_person",
        args: { person_id: d.person_id },
      }],
      answer: `"${f.title}" (${f.year}) was directed by ${d.name}.`,
      check: { answer: { contains: [d.name] } },
    });
  }
  // 3. where the director was born (three hops)
  for (let i = 0; i < 9; i++) {
    const f = film(), d = person(f.director_id);
    add({
      query: `In which city was the director of "${f.title}" born?`,
      split: splitOf(i),
      tags: ["read", "multi-hop"],
      gold: [search(f), { tool: "get_movie", args: { movie_id: f.movie_id } }, {
        tool: "get_person",
        args: { person_id: d.person_id },
      }],
      answer: `${d.name}, who directed it, was born in ${d.birthplace}.`,
      check: { answer: { contains: [d.birthplace] } },
    });
  }
  // 4. who played a character
  for (let i = 0; i < 9; i++) {
    const f = film(), c = rng.pick(castOf(f.movie_id));
    add({
      query: `Who played ${c.character} in "${f.title}"?`,
      split: splitOf(i),
      tags: ["read", "multi-step", "multi-hop"],
      gold: [search(f), { tool: "get_credits", args: { movie_id: f.movie_id } }],
      answer: `${person(String(c.person_id)).name} played ${c.character}.`,
      check: { answer: { contains: [person(String(c.person_id)).name] } },
    });
  }
  // 5. the lead actor's age in the release year (compute)
  for (let i = 0; i < 6; i++) {
    const f = film(),
      lead = person(String(castOf(f.movie_id).find((c) => c.billing === 1)!.person_id));
    const age = f.year - lead.born;
    add({
      query:
        `How old was the top-billed actor of "${f.title}" in the year it was released (birth year subtracted from release year)?`,
      split: splitOf(i),
      tags: ["read", "multi-hop", "compute"],
      gold: [search(f), { tool: "get_credits", args: { movie_id: f.movie_id } }, {
        tool: "get_person",
        args: { person_id: lead.person_id },
      }],
      answer: `${lead.name} (born ${lead.born}) was ${age} in ${f.year}.`,
      check: { answer: { contains: [lead.name], number: { value: age, tol: 0 } } },
    });
  }
  // 6. how many films a director made (compute)
  rng.shuffle(directors).slice(0, 6).forEach((d, i) => {
    const n = films.filter((f) => f.director_id === d.person_id).length;
    add({
      query: `How many films in the database were directed by ${d.name}?`,
      split: splitOf(i),
      tags: ["read", "multi-step", "multi-hop", "compute"],
      gold: [{ tool: "search_people", args: { name: d.name } }, {
        tool: "person_filmography",
        args: { person_id: d.person_id },
      }],
      answer: `${d.name} directed ${n} films in the database.`,
      check: { answer: { regex: `\\b${n}\\b` } },
    });
  });
  // 7. best-rated film of a genre in a span of years
  let made = 0;
  for (const g of rng.shuffle(GENRES)) {
    for (const [from, to] of [[1985, 2004], [2005, 2025]]) {
      if (made >= 6) break;
      const hits = films.filter((f) => f.genres.includes(g) && f.year >= from && f.year <= to)
        .sort((a, b) => b.rating - a.rating);
      if (hits.length < 2 || hits[0].rating === hits[1].rating) continue;
      add({
        query: `What is the highest-rated ${g} film released between ${from} and ${to}?`,
        split: splitOf(made),
        tags: ["read", "single-step", "filter"],
        gold: [{
          tool: "discover_movies",
          args: { genre: g, year_from: from, year_to: to, sort_by: "rating" },
        }],
        answer: `"${hits[0].title}" (${hits[0].year}), rated ${hits[0].rating}.`,
        check: { answer: { contains: [hits[0].title] } },
      });
      made++;
    }
  }
  // 8. add to the watchlist (write)
  const notes = [
    "watch with Sam",
    "recommended by the film club",
    "for the weekend",
    "",
    "festival pick",
    "",
  ];
  for (let i = 0; i < 6; i++) {
    const f = film();
    const args: Record<string, unknown> = { movie_id: f.movie_id };
    if (notes[i]) args.note = notes[i];
    add({
      query: `Add "${f.title}" to my watchlist${notes[i] ? ` with the note "${notes[i]}"` : ""}.`,
      split: splitOf(i),
      tags: ["write", "multi-step"],
      gold: [search(f), { tool: "add_to_watchlist", args }],
      answer: `Added "${f.title}" (${f.movie_id}) to your watchlist.`,
      check: {
        answer: { contains: [f.title] },
        state: `$count(state.watchlist) = 1 and state.watchlist[0].movie_id = ${q(f.movie_id)}` +
          (notes[i] ? ` and state.watchlist[0].note = ${q(notes[i])}` : ""),
      },
    });
  }
  // 9. rate a film (held-out shape)
  for (let i = 0; i < 4; i++) {
    const f = film(), score = 4 + i * 2;
    add({
      query: `Give "${f.title}" a rating of ${score} out of 10 from me.`,
      split: "unseen",
      tags: ["write", "multi-step"],
      gold: [search(f), { tool: "rate_movie", args: { movie_id: f.movie_id, score } }],
      answer: `Rated "${f.title}" ${score}/10.`,
      check: {
        answer: { contains: [f.title] },
        state: `$count(state.my_ratings) = 1 and state.my_ratings[0].movie_id = ${
          q(f.movie_id)
        } and state.my_ratings[0].score = ${score}`,
      },
    });
  }
  // 10. box office of a director's latest film (held-out shape)
  rng.shuffle(directors).slice(0, 4).forEach((d) => {
    const latest = films.filter((f) =>
      f.director_id === d.person_id
    ).sort((a, b) => b.year - a.year)[0];
    add({
      query: `How much did ${d.name}'s most recent film earn at the box office?`,
      split: "unseen",
      tags: ["read", "multi-hop"],
      gold: [
        { tool: "search_people", args: { name: d.name } },
        { tool: "person_filmography", args: { person_id: d.person_id } },
        { tool: "get_movie", args: { movie_id: latest.movie_id } },
      ],
      answer: `"${latest.title}" (${latest.year}) took $${latest.box_office_musd} million.`,
      check: {
        answer: { contains: [latest.title], number: { value: latest.box_office_musd, tol: 0.05 } },
      },
    });
  });
  // 11. nothing here can do it
  [
    ['Buy two tickets for "{t}" tonight.', "none of the tools sell cinema tickets"],
    ['Start streaming "{t}" on my TV.', "no tool plays or streams films"],
    ['Where is "{t}" showing near me this weekend?', "no tool has cinema showtimes"],
    ['Download Spanish subtitles for "{t}".', "no tool provides subtitles"],
  ].forEach(([text, why], i) => {
    const f = film();
    add({
      query: text.replace("{t}", f.title),
      split: splitOf(i),
      tags: ["no-tool"],
      gold: [],
      answer: `I can't do that: ${why}.`,
      check: {
        answer: { regex: REFUSAL },
        state: "$count(state.watchlist) = 0 and $count(state.my_ratings) = 0",
      },
    });
  });

  return {
    name: "movies",
    files: {
      "movies.jsonl": jsonl(films),
      "people.csv": csv(persons, ["person_id", "name", "born", "birthplace"]),
      "credits.csv": csv(credits, ["movie_id", "person_id", "character", "billing"]),
    },
    tasks,
  };
}
