import assert from "node:assert/strict";
import { ScriptedUser, wordsOf } from "./scripted_user.ts";

const user = (o: { known_info?: Record<string, string>; turns?: string[]; stop?: string }) =>
  new ScriptedUser({
    known_info: o.known_info ?? {},
    turns: o.turns ?? [],
    stop: o.stop ?? "###STOP###",
  });

Deno.test("scripted user: scripted turns first, in order, whatever the agent says", () => {
  const u = user({ turns: ["first", "second"], known_info: { title: "Milk" } });
  assert.deepEqual(u.reply("What is the title?"), { source: "turns", index: 0, content: "first" });
  assert.deepEqual(u.reply("The title?"), { source: "turns", index: 1, content: "second" });
  assert.deepEqual(u.reply("The title, please?"), {
    source: "known_info",
    keys: ["title"],
    content: "Milk",
  });
});

Deno.test("scripted user: known_info by whole key words, case-insensitive, plural-tolerant, told once", () => {
  const u = user({ known_info: { task_title: "Call the dentist", dueDate: "2026-03-04" } });
  // One word of a two-word key is not enough; "entitled" is not "title".
  assert.equal(u.reply("Which TASK is entitled to go?").source, "stop");
  assert.deepEqual(u.reply("What are the Titles of the tasks?"), {
    source: "known_info",
    keys: ["task_title"],
    content: "Call the dentist",
  });
  // Told already: not again; camelCase keys split into words.
  assert.deepEqual(u.reply("And the task title and due date?"), {
    source: "known_info",
    keys: ["dueDate"],
    content: "2026-03-04",
  });
  assert.deepEqual(u.reply("task title? due date?"), { source: "stop", content: "###STOP###" });
});

Deno.test("scripted user: several facts at once name each; a custom stop message", () => {
  const u = user({ known_info: { list: "work", title: "Plan" }, stop: "Bye." });
  assert.deepEqual(u.reply("Which list, and what title?"), {
    source: "known_info",
    keys: ["list", "title"],
    content: "list: work\ntitle: Plan",
  });
  assert.deepEqual(u.reply("Done!"), { source: "stop", content: "Bye." });
});

Deno.test("wordsOf: identifiers and prose split alike", () => {
  assert.deepEqual(wordsOf("task_title"), ["task", "title"]);
  assert.deepEqual(wordsOf("dueDate"), ["due", "date"]);
  assert.deepEqual(wordsOf("What's the Due-Date?"), ["what", "s", "the", "due", "date"]);
});
