# tests/e2e/t_models.py - `ltrack models` and the model inventory ([model_monitor],
# src/model/inventory.c, src/model/control.c, docs/models.md).
# Runs in run.py's namespace (see load_test_modules): T, eq, check, fail are the harness's.
#
# Every test gives the agent its own inventory file and control socket in the test
# directory, so runs never meet the host's /run/ltrack or /var/lib/ltrack.

SHA_A = "a" * 64
SHA_B = "0123456789abcdef" * 4

# what a file written by hand holds: the exact entries `ltrack models` must list,
# most recently seen first (the order the agent keeps and prints)
INV_MODELS = [
    {"path": "/srv/models/resnet.pt", "sha256": SHA_A, "format": "pytorch-zip",
     "verdict": "dangerous", "size": 46830571, "dev": 2049, "inode": 131077,
     "first_seen_ns": 1764600000000000000, "last_seen_ns": 1764650000000000000,
     "load_count": 3,
     "loaders": [{"pid": 4242, "comm": "python3", "exe": "/usr/bin/python3.11",
                  "ts_ns": 1764650000000000000},
                 {"pid": 4100, "comm": "torchrun", "exe": None,
                  "ts_ns": 1764640000000000000}]},
    {"path": "/srv/models/llama \u00e9.gguf", "sha256": SHA_B, "format": "gguf",
     "verdict": "unscanned", "size": 7, "dev": 2050, "inode": 12,
     "first_seen_ns": 1764500000000000000, "last_seen_ns": 1764500000000000000,
     "load_count": 1,
     "loaders": [{"pid": 99, "comm": "llama-server", "exe": "/usr/local/bin/llama-server",
                  "ts_ns": 1764500000000000000}]},
]


def models_policy(t):
    return ('[agent]\nstats_interval = 0\n[model_monitor]\ninventory_file = "%s"\n'
            'control_socket = "%s"\n' % (t.path("models.json"), t.path("run", "control.sock")))


def models_cmd(t, args, as_nobody=False):
    """run `ltrack models` with the test's policy; (rc, stdout, stderr)"""
    cmd = [LTRACK, "models", "--config", t.path("models-policy.toml")] + args
    if as_nobody:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd
    r = subprocess.run(cmd, capture_output=True, cwd=t.dir, timeout=30)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def models_start(t):
    pol = models_policy(t)
    t.write("models-policy.toml", pol)
    return t.ltrack([], policy=pol)


def models_json(t, expect_stderr=""):
    rc, out, err = models_cmd(t, ["--format", "json"])
    eq(rc, 0, "ltrack models exit status (stderr: %s)" % err)
    eq(err, expect_stderr, "ltrack models stderr")
    check(out.endswith("\n") and out.count("\n") == 1, "one JSON line: %r" % out[:200])
    return json.loads(out)


@test
def models_agent_answers_empty_list(t):
    """a fresh agent answers `ltrack models --format json` with [] over a 0600 socket"""
    lt = models_start(t)
    eq(models_json(t), [], "no model seen yet")
    st = os.stat(t.path("run", "control.sock"))
    eq(oct(st.st_mode & 0o7777), oct(0o600), "socket mode")
    eq(st.st_uid, 0, "socket owner")
    eq(oct(os.stat(t.path("run")).st_mode & 0o7777), oct(0o700), "socket directory mode")
    rc, out, err = models_cmd(t, [])
    eq(rc, 0, "text listing")
    eq(out.splitlines()[-1], "0 model(s)", "text summary")
    lt.stop()
    lt.wait_exit()
    check(not os.path.exists(t.path("run", "control.sock")), "socket removed at exit")


@test
def models_inventory_file_listed_and_survives_restart(t):
    """the agent lists a pre-written inventory exactly, before and after a restart, and
    `ltrack models` reads the file itself when no agent runs (saying so)"""
    with open(t.path("models.json"), "w") as f:
        json.dump({"version": 1, "evicted": 2, "models": INV_MODELS}, f)
    lt = models_start(t)
    eq(models_json(t), INV_MODELS, "listed by the running agent")
    lt.stop()
    lt.wait_exit()          # a restart: the old agent is gone first (as under systemd)
    lt = models_start(t)
    eq(models_json(t), INV_MODELS, "listed after a restart")
    rc, out, err = models_cmd(t, [])
    eq(rc, 0, "text listing")
    lines = out.splitlines()
    check(lines[0].split() == ["VERDICT", "FORMAT", "SHA256", "SIZE", "LOADS", "FIRST",
                               "SEEN", "LAST", "SEEN", "PATH"], "header: %r" % lines[0])
    check(lines[1].startswith("dangerous  pytorch-zip") and
          lines[1].endswith('"/srv/models/resnet.pt"'), "first model: %r" % lines[1])
    check("loaded by pid 4242 (\"python3\") \"/usr/bin/python3.11\"" in lines[2],
          "its latest loader: %r" % lines[2])
    eq(lines[-1], "2 model(s)", "text summary")
    lt.stop()
    lt.wait_exit()
    # no agent: the file, and a note on stderr
    got = models_json(t, expect_stderr=(
        "ltrack models: the agent is not running (no answer on %s): reading %s\n" % (
            t.path("run", "control.sock"), t.path("models.json"))))
    eq(got, INV_MODELS, "read from the file")
    # the file the agent kept is still the same document
    with open(t.path("models.json")) as f:
        eq(json.load(f)["models"], INV_MODELS, "inventory file after two agent runs")


@test
def models_corrupt_inventory_tolerated(t):
    """a corrupt inventory file is a warning: the agent starts and answers"""
    with open(t.path("models.json"), "w") as f:
        f.write('{"version":1,"models":[{"path":"/m/ok.pt","sha256":"%s"},{"path":"/m/cu' %
                SHA_A)
    lt = models_start(t)
    lt.wait_log("model inventory: %s: offset" % t.path("models.json"))
    got = models_json(t)
    eq([m["path"] for m in got], ["/m/ok.pt"], "the entry before the damage")
    lt.stop()


@test
def models_refuses_non_root(t):
    """nobody cannot reach the socket; with the permissions opened up, SO_PEERCRED refuses"""
    lt = models_start(t)
    rc, out, err = models_cmd(t, ["--format", "json"], as_nobody=True)
    eq(rc, 1, "exit status as nobody")
    eq(out, "", "nothing listed")
    eq(err, "ltrack models: %s: permission denied (root only)\n" % t.path("run", "control.sock"),
       "stderr as nobody")
    os.chmod(t.path("run"), 0o755)
    os.chmod(t.path("run", "control.sock"), 0o666)
    rc, out, err = models_cmd(t, ["--format", "json"], as_nobody=True)
    eq(rc, 1, "exit status as nobody, socket open to all")
    eq(out, "", "nothing listed")
    eq(err, "ltrack models: the agent says: error: permission denied (root only)\n",
       "the agent's refusal")
    lt.wait_log("control: refused a client (uid 65534")
    eq(models_json(t), [], "root still served")
    lt.stop()


@test
def models_damaged_inventory_set_aside(t):
    """security review 6a as run: an inventory with one bad entry among many, then one of a newer version: each is renamed aside whole (models.json.corrupt-TIME), what could be read is kept and saved, nothing is overwritten"""
    good = [dict(m) for m in INV_MODELS]
    bad = dict(INV_MODELS[0], path="relative/bad.pt")     # a relative path: refused
    for doc, kept in (({"version": 1, "evicted": 0, "models": good[:1] + [bad] + good[1:]},
                       [good[0]["path"]]),
                      ({"version": 2, "models": good}, [])):
        text = json.dumps(doc)
        for p in glob.glob(t.path("models.json*")):
            os.unlink(p)
        with open(t.path("models.json"), "w") as f:
            f.write(text)
        lt = models_start(t)
        lt.wait_log("kept as %s.corrupt-" % t.path("models.json"))
        eq([m["path"] for m in models_json(t)], kept, "the entries read before the damage")
        lt.stop()
        lt.wait_exit()
        aside = glob.glob(t.path("models.json.corrupt-*"))
        eq(len(aside), 1, "files set aside: %s" % aside)
        with open(aside[0]) as f:
            eq(f.read(), text, "the damaged file's bytes, kept whole")
        with open(t.path("models.json")) as f:
            eq([m["path"] for m in json.load(f)["models"]], kept, "the new inventory file")


@test
def models_failed_save_kept_and_retried(t):
    """security review 6b as run: the inventory's disk fills, a model is loaded, the save fails (ENOSPC); space comes back; at exit the inventory is written, not lost"""
    d = t.mkdir("state")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "none", d], check=True)
    try:
        failed_save(t, d)
    finally:
        subprocess.run(["umount", "-l", d])


def failed_save(t, d):
    inv = os.path.join(d, "models.json")
    pol = ('[agent]\nstats_interval = 0\n[model_monitor]\ninventory_file = "%s"\n'
           'control_socket = ""\nscan = false\n' % inv)
    lt = t.ltrack([], policy=pol)
    fill = os.path.join(d, "fill")
    subprocess.run(["dd", "if=/dev/zero", "of=" + fill, "bs=64k"], stderr=subprocess.DEVNULL)
    m = t.path("net.pt")
    with open(m, "wb") as f:
        f.write(b"\x80\x02}q\x00X\x01\x00\x00\x00aq\x01K\x01s.")
    subprocess.run(["cat", m], stdout=subprocess.DEVNULL, check=True)
    lt.wait_event(event_name="model_load", filename=m)
    lt.wait_log("model inventory: cannot write %s: No space left on device; kept in memory" % inv,
                timeout=30.0)
    os.unlink(fill)
    lt.stop()
    lt.wait_exit()
    with open(inv) as f:
        eq([e["path"] for e in json.load(f)["models"]], [m], "the inventory written at exit")


@test
def models_idle_control_clients_do_not_hold_events(t):
    """review finding 14 as it was run: eight idle root clients on the control socket
    (connected, no request line) used to hold the event loop 1 s each. Now an exec is
    reported while all eight are still connected and unanswered; each is then dropped at
    its deadline with nothing sent, and the next client is answered"""
    lt = models_start(t)
    idle = []
    for _ in range(8):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(t.path("run", "control.sock"))
        idle.append(s)
    lt.wait_log("ready:")
    sl = subprocess.Popen(["sleep", "0.01"])
    sl.wait()
    lt.wait_event(pid=sl.pid, event_name="exec", comm="sleep")
    for s in idle:      # still connected, nothing answered: the loop never waited on them
        s.setblocking(False)
        try:
            got = s.recv(64)
            fail("an idle client got %r (EOF or an answer) before the exec was reported" % got)
        except BlockingIOError:
            pass
    off = 0
    for _ in range(8):
        off = lt.wait_log("control: dropped a client (pid %d) after 2000 ms: no request line"
                          % os.getpid(), after=off)
    for s in idle:
        s.setblocking(True)
        s.settimeout(5)
        eq(s.recv(64), b"", "a dropped idle client reads EOF, no answer")
        s.close()
    eq(models_json(t), [], "the next client is answered")
