import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { JournalError } from "../../../../keepers/src/core/errors";
import { Journal, JOURNAL_FILE, type JournalEntry } from "../../../../keepers/src/core/journal";
import { PidLock } from "../../../../keepers/src/core/lock";
import { removeTempDirs, tempDir } from "../../helpers/keeper";

const dir = () => tempDir("journal");

function entry(key: string, state: JournalEntry["state"], extra: Partial<JournalEntry> = {}): JournalEntry {
  return {
    key,
    strategy: "liquidator",
    intentId: `id-${key}`,
    action: "liquidate",
    account: "0x0000000000000000000000000000000000000001",
    series: "1",
    to: "0x0000000000000000000000000000000000000002",
    data: "0xbcbaf487",
    state,
    attempts: [],
    createdAt: Date.now(),
    updatedAt: Date.now(),
    ...extra,
  };
}

describe("keepers core/journal", () => {
  after(removeTempDirs);
  it("replays the last snapshot per key and lists pending entries oldest first", () => {
    const d = dir();
    const j = Journal.open(d);
    j.write(entry("a", "proposed", { createdAt: 2 }));
    j.write(entry("b", "proposed", { createdAt: 1 }));
    j.write(entry("a", "signed", { createdAt: 2, nonce: 7 }));
    j.write(entry("c", "confirmed"));
    j.close();
    const again = Journal.open(d);
    expect(again.get("a")?.state).to.equal("signed");
    expect(again.get("a")?.nonce).to.equal(7);
    expect(again.pending().map((e) => e.key)).to.deep.equal(["b", "a"]);
    again.close();
  });

  it("returns copies: changing a returned entry does not change the journal until written", () => {
    const d = dir();
    const j = Journal.open(d);
    j.write(entry("a", "proposed"));
    const e = j.get("a") as JournalEntry;
    e.state = "failed";
    expect(j.get("a")?.state).to.equal("proposed");
    j.close();
  });

  it("drops a torn last line (a crash mid-append) and truncates it so later appends stay readable", () => {
    const d = dir();
    const j = Journal.open(d);
    j.write(entry("a", "proposed"));
    j.close();
    const file = path.join(d, JOURNAL_FILE);
    fs.appendFileSync(file, '{"v":1,"seq":2,"entry":{"key":"a","sta');
    const again = Journal.open(d);
    expect(again.get("a")?.state).to.equal("proposed");
    again.write(entry("a", "signed"));
    again.close();
    const lines = fs.readFileSync(file, "utf8").trim().split("\n");
    expect(lines).to.have.length(2);
    expect(Journal.open(d).get("a")?.state).to.equal("signed");
  });

  it("refuses to open a journal with a corrupt line in the middle", () => {
    const d = dir();
    fs.writeFileSync(path.join(d, JOURNAL_FILE), 'garbage\n{"v":1,"seq":1,"entry":{"key":"a","state":"proposed"}}\n');
    expect(() => Journal.open(d)).to.throw(JournalError, "line 1 is not JSON");
  });

  it("compaction keeps pending and recent entries, drops old terminal ones", () => {
    const d = dir();
    const j = Journal.open(d);
    for (let i = 0; i < 30; i++) j.write(entry(`old-${i}`, "confirmed"));
    j.write(entry("pending", "broadcast", { nonce: 1 }));
    j.close();
    const compacted = Journal.open(d, { compactAfterLines: 10, retainTerminalMs: -1 });
    expect(compacted.entries().map((e) => e.key)).to.deep.equal(["pending"]);
    compacted.close();
    expect(fs.readFileSync(path.join(d, JOURNAL_FILE), "utf8").trim().split("\n")).to.have.length(1);
  });

  it("a pending batch holds every item's key, across a reopen, and releases them all once terminal", () => {
    const d = dir();
    const A = "0x00000000000000000000000000000000000000a1";
    const B = "0x00000000000000000000000000000000000000b2";
    const items = [
      { account: A, series: "3" },
      { account: B, series: "4" },
    ];
    const keyA = `liquidate:${A}:3`;
    const keyB = `liquidate:${B}:4`;
    const j = Journal.open(d);
    j.write(entry(keyA, "proposed", { account: A, series: "3", items }));
    expect(j.holderOf(keyA)?.key).to.equal(keyA);
    expect(j.holderOf(keyB)?.key).to.equal(keyA); // an item, not the entry's own key
    expect(j.holderOf(`liquidate:${B}:5`)).to.equal(undefined);
    j.write(entry(keyA, "broadcast", { account: A, series: "3", items, nonce: 1 }));
    j.close();
    // After a restart the file alone says which items are held.
    const again = Journal.open(d);
    expect(again.holderOf(keyB)?.state).to.equal("broadcast");
    again.write(entry(keyA, "confirmed", { account: A, series: "3", items, nonce: 1 }));
    expect(again.holderOf(keyA)).to.equal(undefined);
    expect(again.holderOf(keyB)).to.equal(undefined);
    // A later single entry for an item of the finished batch is its own holder.
    again.write(entry(keyB, "proposed", { account: B, series: "4" }));
    expect(again.holderOf(keyB)?.items).to.equal(undefined);
    again.close();
  });

  describe("lastConfirmation (the signer's hold after a confirmation)", () => {
    const A = "0x00000000000000000000000000000000000000a1";
    const B = "0x00000000000000000000000000000000000000b2";
    const keyA = `liquidate:${A}:3`;
    const keyB = `liquidate:${B}:4`;
    const receipt = (block: string) => ({ hash: "0x11", blockNumber: block, gasUsed: "1", effectiveGasPrice: "1", status: 1 as const });

    it("names the block the confirmation was recorded at for every key the entry held, across a reopen", () => {
      const d = dir();
      const items = [
        { account: A, series: "3" },
        { account: B, series: "4" },
      ];
      const j = Journal.open(d);
      j.write(entry(keyA, "broadcast", { items, nonce: 1 }));
      expect(j.lastConfirmation(keyA)).to.equal(undefined);
      j.write(entry(keyA, "confirmed", { items, nonce: 1, receipt: receipt("40"), confirmedAtBlock: "42" }));
      expect(j.lastConfirmation(keyA)).to.deep.equal({ block: 42n, by: keyA });
      expect(j.lastConfirmation(keyB)).to.deep.equal({ block: 42n, by: keyA }); // a batch item
      j.close();
      const again = Journal.open(d);
      expect(again.lastConfirmation(keyB)).to.deep.equal({ block: 42n, by: keyA });
      again.close();
    });

    it("keeps the latest confirmation whatever the order of the lines, and survives a later failed snapshot", () => {
      const d = dir();
      const j = Journal.open(d);
      j.write(entry(keyA, "confirmed", { items: [{ account: A, series: "3" }, { account: B, series: "4" }], receipt: receipt("90"), confirmedAtBlock: "90" }));
      j.write(entry(keyB, "confirmed", { receipt: receipt("10"), confirmedAtBlock: "10" })); // an older one written later
      j.write(entry(keyA, "failed", { code: "RECHECK_FAILED" }));
      expect(j.lastConfirmation(keyB)).to.deep.equal({ block: 90n, by: keyA });
      expect(j.lastConfirmation(keyA)).to.deep.equal({ block: 90n, by: keyA });
      j.close();
      const again = Journal.open(d);
      expect(again.lastConfirmation(keyB)?.block).to.equal(90n);
      again.close();
    });

    it("falls back to the receipt's block for an entry written without the recorded head; failed entries count for nothing", () => {
      const j = Journal.inMemory();
      j.write(entry(keyA, "confirmed", { receipt: receipt("7") }));
      j.write(entry(keyB, "failed", { receipt: { ...receipt("8"), status: 0 } }));
      expect(j.lastConfirmation(keyA)).to.deep.equal({ block: 7n, by: keyA });
      expect(j.lastConfirmation(keyB)).to.equal(undefined);
    });

    it("compaction keeps a recent confirmation and drops an old one with its entry", () => {
      const d = dir();
      const j = Journal.open(d);
      j.write(entry(keyA, "confirmed", { receipt: receipt("5"), confirmedAtBlock: "5" }));
      for (let i = 0; i < 12; i++) j.write(entry(`other-${i}`, "failed"));
      j.close();
      const kept = Journal.open(d, { compactAfterLines: 10 });
      expect(kept.lastConfirmation(keyA)?.block).to.equal(5n);
      kept.close();
      const dropped = Journal.open(d, { compactAfterLines: 0, retainTerminalMs: -1 });
      expect(dropped.lastConfirmation(keyA)).to.equal(undefined);
      dropped.close();
    });
  });

  it("an in-memory journal writes nothing to disk", () => {
    const j = Journal.inMemory();
    j.write(entry("a", "proposed"));
    expect(j.file).to.equal(null);
    expect(j.pending()).to.have.length(1);
  });
});

describe("keepers core/lock", () => {
  after(removeTempDirs);
  it("refuses a second holder while the first is alive, and takes over a stale lock", async () => {
    const d = dir();
    const file = path.join(d, "x.lock");
    // A live process holds it.
    const sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { stdio: "ignore" });
    try {
      fs.writeFileSync(file, `${sleeper.pid}\n`);
      expect(() => PidLock.acquire(file, "signer")).to.throw(JournalError, `Another signer (pid ${sleeper.pid}) holds`);
    } finally {
      sleeper.kill("SIGKILL");
      await new Promise((r) => sleeper.once("exit", r));
    }
    // Its holder is gone: taken over.
    const lock = PidLock.acquire(file, "signer");
    expect(fs.readFileSync(file, "utf8").trim()).to.equal(String(process.pid));
    lock.release();
    expect(fs.existsSync(file)).to.equal(false);
  });
});
