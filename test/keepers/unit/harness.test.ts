import { expect } from "chai";
import { LogLineReader, NON_JSON_MSG, parseLogLine } from "../../../keepers/src/harness";

describe("keepers harness: keeper log lines", () => {
  it("joins a line split across chunks and parses each complete line once", () => {
    const seen: string[] = [];
    const r = new LogLineReader((l) => seen.push(String(l.msg)));
    r.push('{"msg":"keeper sta');
    expect(r.lines).to.deep.equal([]);
    r.push('rted","healthPort":9}\n{"msg":"b"}\n{"msg":');
    expect(r.lines.map((l) => l.msg)).to.deep.equal(["keeper started", "b"]);
    expect(r.lines[0].healthPort).to.equal(9);
    expect(seen).to.deep.equal(["keeper started", "b"]);
  });

  it("records a non-JSON line with its raw text instead of throwing", () => {
    const r = new LogLineReader();
    r.push("node: warning\n[1,2]\n");
    expect(r.lines).to.deep.equal([
      { msg: NON_JSON_MSG, raw: "node: warning" },
      { msg: NON_JSON_MSG, raw: "[1,2]" },
    ]);
    expect(parseLogLine("null")).to.deep.equal({ msg: NON_JSON_MSG, raw: "null" });
  });

  it("remembers the pid of every child the supervisor reports starting, and only those", () => {
    const r = new LogLineReader();
    r.push('{"msg":"child started","child":"signer","pid":41}\n{"msg":"child started","pid":"x"}\n{"msg":"child ready","pid":42}\n');
    expect([...r.childPids]).to.deep.equal([41]);
  });
});
