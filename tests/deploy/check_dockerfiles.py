#!/usr/bin/env python3
"""Checks deploy/docker/*.Dockerfile without a Docker engine (none here).

  check_dockerfiles.py lint ROOT [DOCKERFILE...]
      A hadolint-like review (hadolint is not packaged for Debian): tagged
      base images, apt hygiene, exec-form ENTRYPOINT/HEALTHCHECK, a numeric
      non-root USER, the gRPC port exposed and listened on, no secrets in
      ENV/ARG; and that each build stage installs every package
      tools/setup.sh installs (servers for the tests aside).
  check_dockerfiles.py runtime-libs DOCKERFILE BINARY...
      Every shared library the built BINARYs load comes from a Debian package
      that the final stage installs or that those packages depend on.

Exit status: 0 clean, 1 findings (one line each), 2 bad usage.
Standard library only: runs on Debian's python3 as it comes.
"""
import glob
import os
import re
import shlex
import subprocess
import sys

# Installed by tools/setup.sh for the tests and demo only, not for building.
# Test-only tools (servers, promtool, linters, the fuzzers' clang, the
# dashboard's browser, the simulation's curl) the image build does not need.
SETUP_ONLY = {"postgresql", "redis-server", "prometheus", "yamllint", "nodejs", "npm",
              "clang-14", "libclang-rt-14-dev", "openssl", "chromium", "curl"}
SECRET_NAME = re.compile(r"(KEY|TOKEN|PASSWORD|PASSWD|SECRET|CREDENTIAL)", re.I)


def parse(path):
    """Returns [(stage_index, instruction, arguments, line_number)]."""
    instructions = []
    stage = -1
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        start = i
        text = lines[i]
        while text.rstrip().endswith("\\") and i + 1 < len(lines):
            i += 1
            following = lines[i]
            if following.lstrip().startswith("#"):
                continue
            text = text.rstrip()[:-1] + " " + following.strip()
        i += 1
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        word, _, rest = stripped.partition(" ")
        word = word.upper()
        if word == "FROM":
            stage += 1
        instructions.append((stage, word, rest.strip(), start + 1))
    return instructions


def apt_packages(run_arguments):
    """Packages named by `apt-get install` in one RUN."""
    packages = []
    for command in re.split(r"&&|;", run_arguments):
        words = shlex.split(command)
        if len(words) >= 2 and words[0] == "apt-get" and "install" in words:
            packages += [w for w in words[words.index("install") + 1:] if not w.startswith("-")]
    return packages


def setup_packages(root):
    with open(os.path.join(root, "tools", "setup.sh"), encoding="utf-8") as f:
        text = f.read()
    match = re.search(r"^packages=\((.*?)^\)", text, re.M | re.S)
    if not match:
        return None
    body = re.sub(r"#.*", "", match.group(1))
    return set(body.split())


def unknown_packages(packages):
    """The names apt-cache does not know (installed or in the package lists);
    nothing when apt-cache itself is missing."""
    if not packages:
        return []
    try:
        out = subprocess.run(["apt-cache", "policy", *sorted(packages)],
                             capture_output=True, text=True, check=False)
    except OSError:
        return []
    known = {line[:-1] for line in out.stdout.splitlines()
             if line.endswith(":") and not line.startswith(" ")}
    return sorted(packages - known)


def lint(path, root):
    problems = []
    name = os.path.relpath(path, root)

    def problem(line, text):
        problems.append(f"{name}:{line}: {text}")

    instructions = parse(path)
    stages = {}
    final = max((s for s, *_ in instructions), default=-1)
    if final < 1:
        problem(1, "expected a multi-stage build (a build stage and a runtime stage)")
    expected_setup = setup_packages(root)
    if expected_setup is None:
        problem(1, "cannot find the packages=( ... ) list in tools/setup.sh")
    build_packages = set()
    all_packages = set()
    exposed = set()
    user = None
    entrypoint = healthcheck = None
    has_pipefail = False

    for stage, word, args, line in instructions:
        if word == "FROM":
            parts = args.split()
            image = parts[0]
            if len(parts) >= 3 and parts[1].upper() == "AS":
                stages[parts[2]] = stage
            if image not in stages:
                if ":" not in image.split("/")[-1] and "@" not in image:
                    problem(line, f"FROM {image}: pin a tag (DL3006)")
                elif image.endswith(":latest"):
                    problem(line, f"FROM {image}: not latest (DL3007)")
        elif word == "RUN":
            if "apt-get" in args:
                if re.search(r"apt-get\s+(dist-)?upgrade", args):
                    problem(line, "no apt-get upgrade in images (DL3005)")
                if "apt-get install" in args or re.search(r"apt-get\s+.*install", args):
                    if "--no-install-recommends" not in args:
                        problem(line, "apt-get install without --no-install-recommends (DL3015)")
                    if not re.search(r"(\s-y\b|--yes|--assume-yes)", args):
                        problem(line, "apt-get install without -y (DL3014)")
                    if "rm -rf /var/lib/apt/lists" not in args:
                        problem(line, "remove /var/lib/apt/lists/* in the same RUN (DL3009)")
                    if "apt-get update" not in args:
                        problem(line, "apt-get update in the same RUN as install (DL3009)")
                    all_packages.update(apt_packages(args))
                    if stage < final:
                        build_packages.update(apt_packages(args))
            if re.search(r"(^|\s)sudo\s", args):
                problem(line, "no sudo in RUN (DL3004)")
            if re.search(r"[^|]\|[^|]", args) and not has_pipefail:
                problem(line, "RUN with a pipe needs SHELL [..., \"-o\", \"pipefail\", ...] (DL4006)")
        elif word == "SHELL":
            has_pipefail = "pipefail" in args
        elif word == "ADD":
            problem(line, "use COPY, not ADD (DL3020)")
        elif word == "COPY":
            source = re.search(r"--from=(\S+)", args)
            if source and source.group(1) not in stages and not source.group(1).isdigit():
                problem(line, f"COPY --from={source.group(1)}: no such stage")
        elif word == "WORKDIR":
            if not args.startswith("/"):
                problem(line, "WORKDIR must be absolute (DL3000)")
        elif word in ("ENV", "ARG"):
            for key in re.findall(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)(?==|\s|$)", args):
                if SECRET_NAME.search(key):
                    problem(line, f"{word} {key}: secrets never go into an image")
        if stage == final:
            if word == "USER":
                user = args
            elif word == "EXPOSE":
                exposed.update(p.split("/")[0] for p in args.split())
            elif word == "ENTRYPOINT":
                entrypoint = (args, line)
            elif word == "HEALTHCHECK":
                healthcheck = (args, line)
            elif word == "CMD" and not args.startswith("["):
                problem(line, "CMD in exec form (DL3025)")

    if user is None:
        problem(1, "final stage: no USER (DL3002: do not run as root)")
    else:
        uid = user.split(":")[0]
        if not uid.isdigit() or int(uid) == 0:
            problem(1, f"final stage: USER {user} must be a numeric non-root UID "
                       "(runAsNonRoot can verify only numbers)")
    if entrypoint is None:
        problem(1, "final stage: no ENTRYPOINT")
    else:
        args, line = entrypoint
        if not args.startswith("["):
            problem(line, "ENTRYPOINT in exec form (DL3025)")
        listen = re.search(r"--listen=0\.0\.0\.0:(\d+)", args)
        if not listen:
            problem(line, "ENTRYPOINT must pass --listen=0.0.0.0:PORT")
        elif listen.group(1) not in exposed:
            problem(line, f"port {listen.group(1)} is listened on but not EXPOSEd")
    if healthcheck is None:
        problem(1, "final stage: no HEALTHCHECK")
    elif "CMD [" not in healthcheck[0] and healthcheck[0] != "NONE":
        problem(healthcheck[1], "HEALTHCHECK CMD in exec form")
    unknown = unknown_packages(all_packages)
    if unknown:
        problem(1, "no such Debian packages (apt-cache knows them not): " + " ".join(unknown))
    if expected_setup is not None:
        missing = sorted(expected_setup - SETUP_ONLY - build_packages)
        if missing:
            problem(1, "build stage lacks packages tools/setup.sh installs: " + " ".join(missing))
    return problems


def final_stage_packages(path):
    instructions = parse(path)
    final = max(s for s, *_ in instructions)
    packages = set()
    for stage, word, args, _ in instructions:
        if stage == final and word == "RUN":
            packages.update(apt_packages(args))
    return packages


def dependency_closure(packages):
    out = subprocess.run(
        ["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
         "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", *sorted(packages)],
        capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError("apt-cache depends failed: " + out.stderr.strip())
    return {l.strip() for l in out.stdout.splitlines() if l and not l.startswith((" ", "<"))}


def path_variants(library):
    """dpkg records /lib/... or /usr/lib/... (merged /usr): try both, and the
    file a symlink names."""
    variants = set()
    for candidate in (library, os.path.realpath(library)):
        bare = re.sub(r"^/usr(?=/)", "", candidate)
        variants.update((bare, "/usr" + bare))
    return variants


def owning_packages(libraries):
    """{library: package or None}, with one dpkg query for all of them."""
    wanted = {lib: path_variants(lib) for lib in libraries}
    patterns = sorted(set().union(*wanted.values())) if wanted else []
    out = subprocess.run(["dpkg", "-S", *patterns], capture_output=True, text=True, check=False)
    owner = {}
    for line in out.stdout.splitlines():
        package, _, path = line.partition(": ")
        owner[path.strip()] = package.split(":")[0].split(",")[0].strip()
    return {lib: next((owner[v] for v in sorted(paths) if v in owner), None)
            for lib, paths in wanted.items()}


def runtime_libs(dockerfile, binaries):
    problems = []
    installed = final_stage_packages(dockerfile)
    closure = dependency_closure(installed)
    for package in sorted(installed - closure):
        problems.append(f"{os.path.basename(dockerfile)}: {package}: no such Debian package "
                        "(apt-cache knows it not)")
    for binary in binaries:
        if not os.path.exists(binary):
            problems.append(f"{binary}: not built")
            continue
        out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True)
        libraries = []
        for line in out.stdout.splitlines():
            match = re.search(r"=>\s+(/\S+)", line)
            if match:
                libraries.append(match.group(1))
            elif "not found" in line:
                problems.append(f"{binary}: {line.strip()}")
        for library, package in owning_packages(libraries).items():
            if package is None:
                problems.append(f"{binary}: {library} belongs to no Debian package")
            elif package not in closure:
                problems.append(f"{os.path.basename(dockerfile)}: {os.path.basename(binary)} loads "
                                f"{library} from {package}, which the final stage does not install")
    return problems


def main(argv):
    if len(argv) >= 3 and argv[1] == "lint":
        root = argv[2]
        files = argv[3:] or sorted(glob.glob(os.path.join(root, "deploy", "docker", "*.Dockerfile")))
        if not files:
            print("check_dockerfiles: no deploy/docker/*.Dockerfile")
            return 1
        problems = []
        for path in files:
            problems += lint(path, root)
        for p in problems:
            print("FAIL " + p)
        print(f"dockerfiles: {len(files)} checked, {len(problems)} findings")
        return 1 if problems else 0
    if len(argv) >= 4 and argv[1] == "runtime-libs":
        try:
            problems = runtime_libs(argv[2], argv[3:])
        except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
            problems = [f"cannot check {argv[2]}: {e}"]
        for p in problems:
            print("FAIL " + p)
        print(f"runtime libraries of {', '.join(os.path.basename(b) for b in argv[3:])}: "
              f"{len(problems)} findings")
        return 1 if problems else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
