/** A small staff-directory API (hono) that the HTTP backend tests run and record against. */
import { Hono } from "hono";

const PEOPLE = [
  { id: "p1", name: "Ada Lovelace", team: "data" },
  { id: "p2", name: "Alan Turing", team: "research" },
  { id: "p3", name: "Grace Hopper", team: "data" },
  { id: "p/4", name: "Edsger Dijkstra", team: "research" },
];

/** A fresh app. Adding a note answers the same for the same note (one answer per request replays). */
export function directoryApi(): Hono {
  const notes: { id: string; text: string }[] = [];
  const app = new Hono().basePath("/api");
  app.get("/people", (c) => {
    const team = c.req.query("team"), q = c.req.query("q")?.toLowerCase();
    const people = PEOPLE.filter((p) =>
      (!team || p.team === team) && (!q || p.name.toLowerCase().includes(q))
    );
    return c.json({ people });
  });
  app.get("/people/:id", (c) => {
    const p = PEOPLE.find((x) => x.id === c.req.param("id"));
    return p ? c.json(p) : c.json({ error: `no person ${c.req.param("id")}` }, 404);
  });
  app.post("/people/:id/notes", async (c) => {
    const body = await c.req.json() as { text?: string };
    if (!body.text) return c.json({ error: "text is required" }, 400);
    notes.push({ id: c.req.param("id"), text: body.text });
    return c.json({ ok: true, id: c.req.param("id"), text: body.text }, 201);
  });
  app.get("/slow", async (c) => {
    await new Promise((r) => setTimeout(r, 2000));
    return c.text("late");
  });
  app.get("/broken", (c) => c.text("upstream exploded", 503));
  return app;
}
