import {
  csv,
  type GenEnv,
  type GenTask,
  money,
  near,
  people,
  q,
  REFUSAL,
  Rng,
  round,
  splitOf,
} from "./common.ts";

const CITIES = ["Leeds", "Porto", "Lyon", "Tampere", "Graz", "Cork", "Gdańsk", "Bilbao"];
const MERCHANTS: Record<string, string[]> = {
  groceries: ["FreshCo Market", "Greenleaf Grocers", "Harbor Foods", "Daily Basket"],
  dining: ["Trattoria Sole", "Blue Door Café", "Noodle Yard", "The Copper Pot"],
  transport: ["CityRail", "MetroCab", "FuelStop", "ParkRight"],
  utilities: ["NorthGrid Energy", "AquaServe Water", "FiberNet"],
  shopping: ["Brightline Electronics", "Page & Quill Books", "Urban Threads"],
  health: ["Wellspring Pharmacy", "Pulse Fitness"],
  entertainment: ["Starlight Cinema", "StreamBox", "Arcadia Games"],
};
const SPEND = Object.keys(MERCHANTS);

interface Account {
  id: string;
  customer_id: string;
  type: "checking" | "savings";
  balance: number;
  status: "open" | "frozen";
  opened_on: string;
}
interface Txn {
  id: string;
  account_id: string;
  date: string;
  amount: number;
  merchant: string;
  category: string;
}

/** Riverbend Bank: customers, accounts, card transactions, transfers. */
export function bank(seed: number): GenEnv {
  const rng = new Rng(seed);
  const names = people(rng, 36);
  const customers = names.map((name, i) => ({
    id: `C-${101 + i}`,
    name,
    email: `${
      name.toLowerCase().normalize("NFD").replace(/[^a-z ]/g, "").replace(" ", ".")
    }@mail.example`,
    city: rng.pick(CITIES),
    joined_on: `20${rng.int(12, 24)}-0${rng.int(1, 9)}-1${rng.int(0, 9)}`,
  }));
  const accounts: Account[] = [];
  let n = 1001;
  for (const c of customers) {
    for (const type of ["checking", "savings"] as const) {
      if (type === "savings" && !rng.chance(0.75)) continue;
      accounts.push({
        id: `ACC-${n++}`,
        customer_id: c.id,
        type,
        balance: type === "checking" ? rng.amount(120, 6000) : rng.amount(500, 25000),
        status: "open",
        opened_on: c.joined_on,
      });
    }
  }
  for (const a of rng.shuffle(accounts).slice(0, 4)) a.status = "frozen";
  const txns: Txn[] = [];
  let t = 40001;
  const checking = accounts.filter((a) => a.type === "checking");
  for (const a of checking) {
    const days: string[] = [];
    for (let k = 0; k < 16; k++) {
      const m = rng.pick(["2025-11", "2025-12", "2025-12", "2026-01"]);
      const d = m === "2026-01" ? rng.int(1, 14) : rng.int(1, 30);
      days.push(`${m}-${String(d).padStart(2, "0")}`);
    }
    days.push("2025-11-28", "2025-12-29");
    days.sort();
    for (const date of days) {
      const salary = date.endsWith("-28") && date.startsWith("2025-11") ||
        date === "2025-12-29";
      const category = salary ? "salary" : rng.pick(SPEND);
      txns.push({
        id: `T-${t++}`,
        account_id: a.id,
        date,
        amount: salary
          ? rng.amount(1800, 4200)
          : -rng.amount(3, category === "utilities" ? 180 : 140),
        merchant: salary ? "Payroll deposit" : rng.pick(MERCHANTS[category]),
        category,
      });
    }
  }

  const cust = (id: string) => customers.find((c) => c.id === id)!;
  const accsOf = (cid: string) => accounts.filter((a) => a.customer_id === cid);
  const txOf = (aid: string, from: string, to: string) =>
    txns.filter((x) => x.account_id === aid && x.date >= from && x.date <= to);
  const tasks: GenTask[] = [];
  const add = (t: Omit<GenTask, "id">) =>
    tasks.push({ id: `bank-${String(tasks.length + 1).padStart(3, "0")}`, ...t });
  const pool = rng.shuffle(customers);
  let next = 0;
  const take = (ok: (c: typeof customers[number]) => boolean) => {
    for (let k = 0; k < pool.length; k++) {
      const c = pool[(next + k) % pool.length];
      if (ok(c)) {
        next = (next + k + 1) % pool.length;
        return c;
      }
    }
    throw new Error("no customer fits");
  };
  const open = (a?: Account) => a !== undefined && a.status === "open";
  const chk = (cid: string) => accsOf(cid).find((a) => a.type === "checking")!;
  const sav = (cid: string) => accsOf(cid).find((a) => a.type === "savings");

  // 1. balance of an account (single step)
  rng.shuffle(accounts).slice(0, 9).forEach((a, i) =>
    add({
      query: `What is the current balance of account ${a.id}?`,
      split: splitOf(i),
      tags: ["read", "single-step"],
      gold: [{ tool: "get_account", args: { account_id: a.id } }],
      answer: `Account ${a.id} has a balance of $${money(a.balance)}.`,
      check: { answer: { number: { value: a.balance, tol: 0.005 } } },
    })
  );
  // 2. combined balance of a customer's accounts (name → id → accounts, then a sum)
  for (let i = 0; i < 6; i++) {
    const c = take((c) => accsOf(c.id).length === 2);
    const total = round(accsOf(c.id).reduce((s, a) => s + a.balance, 0));
    add({
      query: `What is the combined balance of all of ${c.name}'s accounts?`,
      split: splitOf(i),
      tags: ["read", "multi-step", "multi-hop", "compute"],
      gold: [
        { tool: "find_customer", args: { name: c.name } },
        { tool: "list_accounts", args: { customer_id: c.id } },
      ],
      answer: `${c.name} has $${money(total)} across ${
        accsOf(c.id).map((a) => a.id).join(" and ")
      }.`,
      check: { answer: { number: { value: total, tol: 0.01 } } },
    });
  }
  // 3. who owns an account (account → customer)
  rng.shuffle(accounts).slice(0, 9).forEach((a, i) => {
    const c = cust(a.customer_id);
    add({
      query: `Who holds account ${a.id}? I need the holder's name and email address.`,
      split: splitOf(i),
      tags: ["read", "multi-hop"],
      gold: [
        { tool: "get_account", args: { account_id: a.id } },
        { tool: "get_customer", args: { customer_id: c.id } },
      ],
      answer: `Account ${a.id} belongs to ${c.name} (${c.email}).`,
      check: { answer: { contains: [c.name, c.email] } },
    });
  });
  // 4. monthly spending of an account
  rng.shuffle(checking).slice(0, 9).forEach((a, i) => {
    const spent = round(
      -txOf(a.id, "2025-12-01", "2025-12-31").filter((x) => x.amount < 0)
        .reduce((s, x) => s + x.amount, 0),
    );
    add({
      query: `How much did account ${a.id} spend in total in December 2025 (payments out only)?`,
      split: splitOf(i),
      tags: ["read", "single-step"],
      gold: [{ tool: "spending_summary", args: { account_id: a.id, month: "2025-12" } }],
      answer: `Account ${a.id} spent $${money(spent)} in December 2025.`,
      check: { answer: { number: { value: spent, tol: 0.01 } } },
    });
  });
  // 5. a customer's spending in one category (name → accounts → summary)
  for (let i = 0; i < 6; i++) {
    const cat = SPEND[i % SPEND.length];
    const c = take((c) =>
      txOf(chk(c.id).id, "2025-12-01", "2025-12-31").some((x) => x.category === cat)
    );
    const a = chk(c.id);
    const v = round(
      -txOf(a.id, "2025-12-01", "2025-12-31").filter((x) => x.category === cat)
        .reduce((s, x) => s + x.amount, 0),
    );
    add({
      query: `How much did ${c.name} spend on ${cat} from their checking account in December 2025?`,
      split: splitOf(i),
      tags: ["read", "multi-step", "multi-hop"],
      gold: [
        { tool: "find_customer", args: { name: c.name } },
        { tool: "list_accounts", args: { customer_id: c.id } },
        { tool: "spending_summary", args: { account_id: a.id, month: "2025-12" } },
      ],
      answer: `${c.name} spent $${money(v)} on ${cat} in December 2025 (account ${a.id}).`,
      check: { answer: { number: { value: v, tol: 0.01 } } },
    });
  }
  // 6. the largest purchase of a month
  rng.shuffle(checking).filter((a) => {
    const out = txOf(a.id, "2025-11-01", "2025-11-30").filter((x) => x.amount < 0).map((x) =>
      x.amount
    ).sort((p, r) => p - r);
    return out.length >= 2 && out[0] !== out[1];
  }).slice(0, 6).forEach((a, i) => {
    const big = txOf(a.id, "2025-11-01", "2025-11-30").filter((x) =>
      x.amount < 0
    ).sort((p, r) => p.amount - r.amount)[0];
    add({
      query:
        `What was the largest single payment out of account ${a.id} in November 2025, and who was it paid to?`,
      split: splitOf(i),
      tags: ["read", "single-step", "filter"],
      gold: [{
        tool: "list_transactions",
        args: { account_id: a.id, date_from: "2025-11-01", date_to: "2025-11-30" },
      }],
      answer: `The largest was $${
        money(-big.amount)
      } to ${big.merchant} on ${big.date} (${big.id}).`,
      check: { answer: { contains: [big.merchant], number: { value: -big.amount, tol: 0.005 } } },
    });
  });
  // 7. transfer between two given accounts (write)
  const memos = [
    "rent share",
    "concert tickets",
    "birthday gift",
    "holiday fund",
    "loan repayment",
    "car repair",
  ];
  const openAcc = rng.shuffle(accounts.filter((a) => a.status === "open"));
  for (let i = 0; i < 6; i++) {
    const from = openAcc[2 * i], to = openAcc[2 * i + 1];
    const amount = round(Math.min(from.balance - 1, 40 + rng.int(1, 60) * 5), 2);
    const fromAfter = round(from.balance - amount), toAfter = round(to.balance + amount);
    add({
      query: `Transfer $${
        money(amount)
      } from account ${from.id} to account ${to.id} with the memo "${
        memos[i]
      }", then tell me what is left in ${from.id}.`,
      split: splitOf(i),
      tags: ["write", "single-step"],
      gold: [{
        tool: "transfer_funds",
        args: { from_account: from.id, to_account: to.id, amount, memo: memos[i] },
      }],
      answer: `Done (transfer TR-5001): ${from.id} now holds $${money(fromAfter)}.`,
      check: {
        answer: { number: { value: fromAfter, tol: 0.005 } },
        state: [
          near(`state.accounts[id = ${q(from.id)}].balance`, fromAfter),
          near(`state.accounts[id = ${q(to.id)}].balance`, toAfter),
          `$count(state.transfers) = 1`,
          `state.transfers[0].memo = ${q(memos[i])}`,
        ].join(" and "),
      },
    });
  }
  // 8. move money between a customer's own accounts (name → accounts → transfer)
  for (let i = 0; i < 6; i++) {
    const c = take((c) => open(sav(c.id)) && open(chk(c.id)) && chk(c.id).balance > 400);
    const from = chk(c.id), to = sav(c.id)!;
    const amount = 100 + 50 * rng.int(0, 5);
    const toAfter = round(to.balance + amount);
    add({
      query:
        `Move $${amount} from ${c.name}'s checking account into their savings account and tell me the new savings balance.`,
      split: splitOf(i),
      tags: ["write", "multi-step", "multi-hop"],
      gold: [
        { tool: "find_customer", args: { name: c.name } },
        { tool: "list_accounts", args: { customer_id: c.id } },
        { tool: "transfer_funds", args: { from_account: from.id, to_account: to.id, amount } },
      ],
      answer: `Moved $${amount}.00 from ${from.id} to ${to.id}; the savings balance is now $${
        money(toAfter)
      }.`,
      check: {
        answer: { number: { value: toAfter, tol: 0.005 } },
        state: [
          near(`state.accounts[id = ${q(from.id)}].balance`, round(from.balance - amount)),
          near(`state.accounts[id = ${q(to.id)}].balance`, toAfter),
          `$count(state.transfers) = 1`,
        ].join(" and "),
      },
    });
  }
  // 9. freeze a customer's checking account (held-out shape)
  const reasons = ["card stolen", "suspicious activity", "card lost", "customer request"];
  for (let i = 0; i < 4; i++) {
    const c = take((c) => open(chk(c.id)));
    const a = chk(c.id);
    add({
      query: `${c.name} called: ${reasons[i]}. Freeze their checking account, giving "${
        reasons[i]
      }" as the reason.`,
      split: "unseen",
      tags: ["write", "multi-step", "multi-hop"],
      gold: [
        { tool: "find_customer", args: { name: c.name } },
        { tool: "list_accounts", args: { customer_id: c.id } },
        { tool: "freeze_account", args: { account_id: a.id, reason: reasons[i] } },
      ],
      answer: `Account ${a.id} is now frozen (reason: ${reasons[i]}).`,
      check: {
        answer: { contains: [a.id] },
        state: `state.accounts[id = ${q(a.id)}].status = 'frozen' and state.accounts[id = ${
          q(a.id)
        }].freeze_reason = ${q(reasons[i])} and $count(state.accounts[status = 'frozen']) = ${
          accounts.filter((x) => x.status === "frozen").length + 1
        }`,
      },
    });
  }
  // 10. count transactions of a category in a month (held-out shape)
  rng.shuffle(checking).slice(0, 4).forEach((a, i) => {
    const cat = SPEND[(i + 2) % SPEND.length];
    const k = txOf(a.id, "2025-12-01", "2025-12-31").filter((x) => x.category === cat).length;
    add({
      query: `How many ${cat} payments did account ${a.id} make between 2025-12-01 and 2025-12-31?`,
      split: "unseen",
      tags: ["read", "single-step", "filter", "compute"],
      gold: [{
        tool: "list_transactions",
        args: { account_id: a.id, category: cat, date_from: "2025-12-01", date_to: "2025-12-31" },
      }],
      answer: `Account ${a.id} made ${k} ${cat} payment${k === 1 ? "" : "s"} in December 2025.`,
      check: { answer: { regex: k === 0 ? "\\b(0|no|none|zero)\\b" : `\\b${k}\\b` } },
    });
  });
  // 11. nothing here can do it
  const refuse = [
    [
      "Open a new credit card for {name}.",
      "none of the tools can open credit cards or any new product",
    ],
    ["Change the PIN of {name}'s debit card to 4321.", "no tool manages cards or PINs"],
    [
      "What mortgage rate could {name} get for a 25-year fixed loan?",
      "no tool quotes loans or mortgage rates",
    ],
    [
      "Reverse the last card payment on {name}'s checking account.",
      "no tool can reverse or dispute card payments",
    ],
  ];
  refuse.forEach(([text, why], i) => {
    const c = take(() => true);
    add({
      query: text.replace("{name}", c.name),
      split: splitOf(i),
      tags: ["no-tool"],
      gold: [],
      answer: `I can't do that: ${why}.`,
      check: {
        answer: { regex: REFUSAL },
        state: `$count(state.transfers) = 0 and $count(state.accounts[status = 'frozen']) = ${
          accounts.filter((x) => x.status === "frozen").length
        }`,
      },
    });
  });

  return {
    name: "bank",
    files: {
      "customers.csv": csv(customers, ["id", "name", "email", "city", "joined_on"]),
      "accounts.csv": csv(accounts, [
        "id",
        "customer_id",
        "type",
        "balance",
        "status",
        "opened_on",
      ]),
      "transactions.csv": csv(txns, ["id", "account_id", "date", "amount", "merchant", "category"]),
    },
    tasks,
  };
}
