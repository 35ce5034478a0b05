import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { normaliseGrants, signerExecArgv, strategyExecArgv, type KeeperLayout } from "../../../../keepers/src/supervisor/permissions";

const layout: KeeperLayout = { root: "/opt/keeper/dist", nodeModules: ["/opt/keeper/node_modules", "/srv/cache/node_modules"] };

describe("keepers supervisor/permissions", () => {
  it("normalises grants: no duplicates, nothing inside a granted directory, directories as d/*", () => {
    expect(normaliseGrants(["/a", "/a/b", "/a/", "/c"], ["/a/b/file", "/d/key.json", "/d/key.json"])).to.deep.equal(["/a/*", "/c/*", "/d/key.json"]);
  });

  it("strategies get read access to code only: no write, no child process, no worker, a heap cap", () => {
    const argv = strategyExecArgv(layout, 96, "/opt/custom");
    expect(argv).to.include("--experimental-permission");
    expect(argv).to.include("--max-old-space-size=96");
    expect(argv.filter((a) => a.startsWith("--allow-fs-read="))).to.deep.equal([
      "--allow-fs-read=/opt/custom/*",
      "--allow-fs-read=/opt/keeper/dist/*",
      "--allow-fs-read=/srv/cache/node_modules/*",
      "--allow-fs-read=/opt/keeper/node_modules/*",
    ]);
    expect(argv.some((a) => /allow-(fs-write|child-process|worker|addons)/.test(a))).to.equal(false);
  });

  it("the signer may also read its keystore and write its data directory only", () => {
    const argv = signerExecArgv(layout, 256, "/var/lib/keeper", "/etc/keeper/keystore.json");
    expect(argv).to.include("--allow-fs-read=/etc/keeper/keystore.json");
    expect(argv.filter((a) => a.startsWith("--allow-fs-write="))).to.deep.equal(["--allow-fs-write=/var/lib/keeper/*"]);
  });

  it("Node starts with the flags built for a real layout (Node 20 aborts on overlapping grants)", () => {
    const here = path.resolve(__dirname, "..", "..", "..", "..");
    const real: KeeperLayout = { root: path.join(here, "keepers"), nodeModules: [path.join(here, "node_modules")] };
    for (const argv of [strategyExecArgv(real, 64, os.tmpdir()), signerExecArgv(real, 64, os.tmpdir(), path.join(os.tmpdir(), "k.json"))]) {
      const r = spawnSync(process.execPath, [...argv, "-e", "process.exit(0)"], { encoding: "utf8", timeout: 30_000 });
      expect(r.status, r.stderr).to.equal(0);
    }
  });
});
