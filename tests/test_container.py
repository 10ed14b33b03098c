"""The Dockerfile, compose.yaml and deploy/rapport.env, checked without a Docker engine.

No engine runs on the build machines, so this does what can be done without one: the image's
build stage is replayed in a fresh virtual environment from exactly the files the Dockerfile
copies (so a file missing from its COPY lines fails here), and the runtime stage's command
(`ENTRYPOINT` + `CMD`), environment and `HEALTHCHECK` are run from that environment against a
fake Slack on 127.0.0.1.  Third-party packages come from this test's own environment (a path
entry, no network); rapport itself is installed from the copied files.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

from tests.fakes.slack import FakeSlack
from tests.fakes.slack_sender import SlackSender

ROOT = Path(__file__).resolve().parent.parent
SECRET = "container-secret"


@dataclass
class Stage:
    base: str
    name: str | None
    lines: list[tuple[str, str]] = field(default_factory=list)  # (instruction, arguments)

    def all(self, instruction: str) -> list[str]:
        return [args for ins, args in self.lines if ins == instruction]


def stages() -> list[Stage]:
    """The Dockerfile's stages, with continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    logical = re.sub(
        r"\\\n", " ", "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))
    )
    found: list[Stage] = []
    for line in logical.splitlines():
        if not line.strip():
            continue
        instruction, _, args = line.strip().partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            parts = args.split()
            found.append(Stage(parts[0], parts[2] if len(parts) > 2 else None))
        elif found:
            found[-1].lines.append((instruction, args.strip()))
    return found


def exec_form(args: str) -> list[str]:
    """A JSON-array instruction argument (`["rapport", "serve"]`)."""
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), args
    return value


def env_of(stage: Stage) -> dict[str, str]:
    env: dict[str, str] = {}
    for args in stage.all("ENV"):
        for pair in shlex.split(args):
            key, _, value = pair.partition("=")
            env[key] = value
    return env


def test_the_image_is_multi_stage_slim_unprivileged_and_healthchecked() -> None:
    build, runtime = stages()[0], stages()[-1]
    assert len(stages()) >= 2 and build.name
    assert runtime.base.endswith("-slim") and build.base.endswith("-slim")
    # only the built environment reaches the final image: no sources, no build or test tools
    assert runtime.all("COPY") == [f"--from={build.name} /opt/rapport /opt/rapport"]
    assert not any("[test]" in run or "gcc" in run for run in runtime.all("RUN"))
    user = runtime.all("USER")
    assert user and user[-1] not in ("root", "0")
    assert exec_form(runtime.all("VOLUME")[-1]) == ["/data"]
    env = env_of(runtime)
    assert env["RAPPORT_DATABASE_URL"] == "sqlite:////data/rapport.db"
    assert env["RAPPORT_HOST"] == "0.0.0.0" and env["RAPPORT_PORT"] in runtime.all("EXPOSE")
    assert exec_form(runtime.all("ENTRYPOINT")[-1]) == ["rapport", "serve"]
    assert exec_form(runtime.all("CMD")[-1]) in (["slack"], ["discord"], ["all"])
    health = runtime.all("HEALTHCHECK")[-1]
    assert "CMD" in health and "rapport.adapters.healthcheck" in health
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8")
    for copied in build.all("COPY"):
        for source in copied.split()[:-1]:
            assert f"!{source.rstrip('/')}" in ignored.replace("/\n", "\n"), source


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _fresh_venv(where: Path) -> Path:
    """A new virtual environment that sees this one's third-party packages but not rapport."""
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True, timeout=180)
    python = where / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout.strip()  # fmt: skip
    # a plain path entry: this environment's packages, without its editable rapport
    Path(site, "_outer_packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build stage, replayed: the Dockerfile's COPY sources into an empty folder, then its
    `pip install .` (offline) into a fresh environment.  Returns that environment."""
    pytest.importorskip("hatchling", reason="building the package needs hatchling ([test] extra)")
    top = tmp_path_factory.mktemp("image")
    src = top / "src"
    src.mkdir()
    build = stages()[0]
    for copied in build.all("COPY"):
        *sources, dest = copied.split()
        for source in sources:
            target = src / (source if dest.endswith("/") or dest == "./" else dest)
            origin = ROOT / source
            if origin.is_dir():
                # symlinks kept as links, as Docker's COPY does (rapport/bot -> ../bot)
                shutil.copytree(
                    origin, target, symlinks=True, ignore=shutil.ignore_patterns("__pycache__")
                )
            else:
                shutil.copy2(origin, target)
    venv = top / "opt-rapport"
    python = _fresh_venv(venv)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
         "--no-build-isolation", "."],
        cwd=src, check=True, timeout=300,
    )  # fmt: skip
    shutil.rmtree(src)  # the runtime stage has no sources
    return venv


def test_the_installed_package_is_complete_and_its_dependencies_resolve(image: Path) -> None:
    python = image / "bin" / "python"
    code = (
        "import rapport.bot, rapport.adapters, importlib.metadata as m, importlib.util as u, re\n"
        "assert u.find_spec('bot') is None and u.find_spec('adapters') is None, 'claims bot/adapters'\n"
        "print(rapport.bot.__file__)\n"
        "for req in m.requires('rapport') or []:\n"
        "    if 'extra ==' not in req:\n"
        "        m.version(re.split(r'[<>=!~ ;\\[]', req)[0])\n"
    )
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=image)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith(str(image))  # rapport from the image, not the checkout
    rules = subprocess.run([str(image / "bin" / "rapport"), "rules"], capture_output=True,
                           text=True, timeout=60, cwd=image)  # fmt: skip
    assert rules.returncode == 0 and "cold-ask" in rules.stdout


async def test_the_entrypoint_serves_and_the_healthcheck_passes(
    image: Path, tmp_path: Path
) -> None:
    runtime = stages()[-1]
    fake = await FakeSlack(tokens={"xoxb-image"}).start()
    port = _free_port()
    data = tmp_path / "data"  # the /data volume
    data.mkdir()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "RAPPORT_"))
    }
    env.update(env_of(runtime))
    env.update(
        PATH=f"{image / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        RAPPORT_HOST="127.0.0.1", RAPPORT_PORT=str(port),  # loopback only in tests
        RAPPORT_DATABASE_URL=f"sqlite:///{data / 'rapport.db'}",
        SLACK_BOT_TOKEN="xoxb-image", SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.url + "/api",
    )  # fmt: skip
    command = exec_form(runtime.all("ENTRYPOINT")[-1]) + exec_form(runtime.all("CMD")[-1])
    health = exec_form(runtime.all("HEALTHCHECK")[-1].split("CMD", 1)[1].strip())
    proc = await asyncio.create_subprocess_exec(
        *command, env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
        assert f"on http://127.0.0.1:{port}" in line.decode(), line
        probe = await asyncio.create_subprocess_exec(
            *health, env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE
        )
        out, _ = await asyncio.wait_for(probe.communicate(), 30)
        assert probe.returncode == 0, out
        ready = await asyncio.create_subprocess_exec(*health, "--ready", env=env, cwd=tmp_path,
                                                     stdout=asyncio.subprocess.PIPE)  # fmt: skip
        out, _ = await asyncio.wait_for(ready.communicate(), 30)
        assert ready.returncode == 0 and b'"database": "ok"' in out, out
        async with aiohttp.ClientSession() as session:
            sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", SECRET, fake, session)
            status, _, _ = await sender.slash("check Hi Dana, could you endorse me for Python?")
            assert status == 200
            await fake.wait_for("hook")
        assert (data / "rapport.db").exists()  # the database is in the volume
        proc.send_signal(signal.SIGTERM)  # the image's STOPSIGNAL
        assert await asyncio.wait_for(proc.wait(), 30) == 0
        after = await asyncio.create_subprocess_exec(*health, env=env, cwd=tmp_path,
                                                     stdout=asyncio.subprocess.PIPE)  # fmt: skip
        await asyncio.wait_for(after.communicate(), 30)
        assert after.returncode == 1  # nothing listening: unhealthy
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await fake.stop()


def _env_file(path: Path) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, sep, value = line.partition("=")
            assert sep and re.fullmatch(r"[A-Z][A-Z0-9_]*", key), line
            pairs[key] = value
    return pairs


#: Variables for development and tests, not for running the bots.
_NOT_FOR_SERVE = {"RAPPORT_CACHE_DIR", "RAPPORT_CONFIG", "RAPPORT_DEBUG", "RAPPORT_NO_CACHE",
                  "RAPPORT_SETTINGS"}  # fmt: skip


def test_the_example_settings_name_every_serve_variable_and_parse() -> None:
    from rapport.adapters.discord_bot.serve import settings_from_env as discord_settings
    from rapport.adapters.serve import pool_size
    from rapport.adapters.slack.server import listen_address
    from rapport.adapters.slack.server import settings_from_env as slack_settings
    from rapport.bot.service.rapport import idle_hours

    example = _env_file(ROOT / "deploy" / "rapport.env")
    source = "\n".join(p.read_text(encoding="utf-8") for d in ("bot", "adapters")
                       for p in (ROOT / d).rglob("*.py"))  # fmt: skip
    read = set(re.findall(r'"((?:RAPPORT|SLACK|DISCORD)_[A-Z_]+)"', source)) - _NOT_FOR_SERVE
    assert read <= set(example), f"not in deploy/rapport.env: {sorted(read - set(example))}"
    assert set(example) <= read, f"rapport doesn't read: {sorted(set(example) - read)}"
    slack_settings(example)
    discord_settings(example)
    assert listen_address(example) == ("0.0.0.0", 3000)
    assert pool_size(example) == 10 and idle_hours(example) == 24
    docs = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md"))
    for name in example:
        assert name in docs, f"{name} is not documented in docs/"


def test_compose_runs_rapport_on_postgresql() -> None:
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert re.search(r"^\s+image: postgres:\d+", text, re.M)
    assert "RAPPORT_DATABASE_URL: postgresql://" in text
    assert "condition: service_healthy" in text and "build: ." in text
    assert "env_file: deploy/rapport.env" in text


def test_the_docs_show_the_example_settings_as_they_are() -> None:
    settings = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    block = re.search(r"```dotenv\n(.*?)```", settings, re.S)
    assert block, "docs/settings.md's example .env block is missing"
    assert block.group(1) == (ROOT / "deploy" / "rapport.env").read_text(encoding="utf-8")
