#!/usr/bin/env python3
"""The file-writing half of scripts/release (which builds the binaries and packages the chart).

Every output is reproducible: the same inputs and SOURCE_DATE_EPOCH give the same bytes (tar
entries sorted, owned by 0:0 or 65532:65532 with no user names, mtimes clamped to
SOURCE_DATE_EPOCH, gzip without a name or a timestamp, JSON with sorted keys).

  release.py archive OUT.tar.gz FILE:NAME...      a binary archive (0755 for the binary)
  release.py image LAYOUT VERSION REVISION SOURCE BIN_AMD64 BIN_ARM64 CA_BUNDLE
                                                  an OCI image layout holding one image index
  release.py krew OUT VERSION URL_PREFIX ARCHIVE_AMD64 ARCHIVE_ARM64 HOMEPAGE
  release.py sbom OUT VERSION SOURCE METADATA_JSON...
  release.py notes CHANGELOG VERSION              the CHANGELOG.md section of VERSION
"""

import gzip
import hashlib
import io
import json
import os
import re
import sys
import tarfile
import time

EPOCH = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
NAME = "ovh-publiccloud-operator"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def gz(data: bytes) -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=out, mtime=0) as f:
        f.write(data)
    return out.getvalue()


def tar(entries) -> bytes:
    """entries: (path, kind 'dir'|'file', mode, uid, gid, bytes|None), written in path order."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as t:
        for path, kind, mode, uid, gid, data in sorted(entries, key=lambda e: e[0]):
            info = tarfile.TarInfo(path + ("/" if kind == "dir" else ""))
            info.mode, info.uid, info.gid, info.mtime = mode, uid, gid, EPOCH
            info.uname = info.gname = ""
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                t.addfile(info)
            else:
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    return out.getvalue()


def read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def archive(out: str, *pairs: str):
    entries = []
    for pair in pairs:
        src, name = pair.split(":", 1)
        mode = 0o755 if os.access(src, os.X_OK) else 0o644
        entries.append((name, "file", mode, 0, 0, read(src)))
    with open(out, "wb") as f:
        f.write(gz(tar(entries)))


# distroless/static's users (its /etc/passwd and /etc/group), nonroot being 65532.
PASSWD = (
    "root:x:0:0:root:/root:/sbin/nologin\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
    "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
)
GROUP = "root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n"


def rootfs(binary: bytes, ca_bundle: bytes):
    d = lambda p, mode=0o755, uid=0: (p, "dir", mode, uid, uid, None)  # noqa: E731
    f = lambda p, data, mode=0o644: (p, "file", mode, 0, 0, data)  # noqa: E731
    return [
        d("etc"), d("etc/ssl"), d("etc/ssl/certs"), d("home"), d("home/nonroot", 0o700, 65532),
        d("tmp", 0o1777),
        f("etc/passwd", PASSWD.encode()), f("etc/group", GROUP.encode()),
        f("etc/ssl/certs/ca-certificates.crt", ca_bundle),
        f(NAME, binary, 0o755),
    ]


def write_blob(layout: str, data: bytes) -> dict:
    digest = sha256(data)
    path = os.path.join(layout, "blobs", "sha256", digest)
    with open(path, "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def image(layout, version, revision, source, bin_amd64, bin_arm64, ca_bundle):
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(EPOCH))
    labels = {
        "org.opencontainers.image.title": NAME,
        "org.opencontainers.image.description":
            "Kubernetes operator that orders OVHcloud Public Cloud projects declaratively",
        "org.opencontainers.image.licenses": "Apache-2.0",
        "org.opencontainers.image.source": source,
        "org.opencontainers.image.version": version,
        "org.opencontainers.image.revision": revision,
        "org.opencontainers.image.created": created,
    }
    ca = read(ca_bundle)
    manifests = []
    for arch, variant, binary in (("amd64", None, bin_amd64), ("arm64", "v8", bin_arm64)):
        layer = tar(rootfs(read(binary), ca))
        layer_gz = gz(layer)
        platform = {"architecture": arch, "os": "linux"}
        if variant:
            platform["variant"] = variant
        config = dict(platform)
        config.update({
            "created": created,
            "config": {
                "User": "65532:65532",
                "ExposedPorts": {"8080/tcp": {}},
                "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                        "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"],
                "Entrypoint": ["/" + NAME],
                "Cmd": ["run"],
                "WorkingDir": "/",
                "Labels": labels,
            },
            "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha256(layer)]},
            "history": [{"created": created, "created_by": "scripts/release: " + NAME
                         + " (static, musl), CA certificates, /etc/passwd with nonroot 65532"}],
        })
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": dict(mediaType="application/vnd.oci.image.config.v1+json",
                           **write_blob(layout, canonical(config))),
            "layers": [dict(mediaType="application/vnd.oci.image.layer.v1.tar+gzip",
                            **write_blob(layout, layer_gz))],
            "annotations": {"org.opencontainers.image.created": created},
        }
        manifests.append(dict(mediaType=manifest["mediaType"], platform=platform,
                              **write_blob(layout, canonical(manifest))))
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": manifests,
        "annotations": {k: v for k, v in labels.items() if k != "org.opencontainers.image.description"},
    }
    entry = dict(mediaType=index["mediaType"], **write_blob(layout, canonical(index)))
    entry["annotations"] = {"org.opencontainers.image.ref.name": version}
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    with open(os.path.join(layout, "index.json"), "wb") as f:
        f.write(canonical({"schemaVersion": 2, "mediaType": index["mediaType"], "manifests": [entry]}))
    print(entry["digest"])


def krew(out, version, url_prefix, archive_amd64, archive_arm64, homepage):
    platforms = ""
    for arch, path in (("amd64", archive_amd64), ("arm64", archive_arm64)):
        platforms += f"""  - selector:
      matchLabels:
        os: linux
        arch: {arch}
    uri: {url_prefix}/{os.path.basename(path)}
    sha256: {sha256(read(path))}
    files:
      - from: {NAME}
        to: .
      - from: LICENSE
        to: .
    bin: {NAME}
"""
    with open(out, "w") as f:
        f.write(f"""apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: pcp
spec:
  version: v{version}
  homepage: {homepage}
  shortDescription: Price, approve and follow OVHcloud Public Cloud project orders
  description: |
    kubectl pcp works with the PublicCloudProject resources of ovh-publiccloud-operator:
    `plan -f FILE` prices a manifest at OVH without ordering, `approve` lets the operator
    order a priced cart, `status` shows a resource's order, project and what it waits for,
    `resolve`, `forget` and `pin` answer the operator's questions. It is the operator's own
    binary: krew links it as kubectl-pcp.
  platforms:
{platforms}""")


def sbom(out, version, source, *metadata_files):
    """CycloneDX 1.5 of the crates in the release binaries: the packages reachable from the
    operator through normal (not dev, not build-script) dependencies in `cargo metadata
    --filter-platform` of each release target, with the checksums Cargo.lock records; proc-macros
    (compiler plugins, not linked) have the scope "excluded"."""
    packages, reachable, root = {}, set(), None
    for path in metadata_files:
        meta = json.loads(read(path))
        root = meta["resolve"]["root"]
        for p in meta["packages"]:
            packages[p["id"]] = p
        nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
        todo, seen = [root], set()
        while todo:
            node = nodes[todo.pop()]
            if node["id"] in seen:
                continue
            seen.add(node["id"])
            for dep in node["deps"]:
                if any(k["kind"] is None for k in dep["dep_kinds"]):
                    todo.append(dep["pkg"])
        reachable |= seen
    lock = {}
    for block in read("Cargo.lock").decode().split("[[package]]")[1:]:
        fields = dict(re.findall(r'^(\w+) = "([^"]*)"$', block, re.M))
        if "checksum" in fields:
            lock[(fields["name"], fields["version"])] = fields["checksum"]
    components, edges = [], {}
    for pid in sorted(reachable - {root}, key=lambda i: (packages[i]["name"], packages[i]["version"])):
        p = packages[pid]
        purl = f"pkg:cargo/{p['name']}@{p['version']}"
        # A proc-macro runs in the compiler: it shapes the binary but is not linked into it.
        macro = any("proc-macro" in t["kind"] for t in p["targets"])
        c = {"type": "library", "bom-ref": purl, "name": p["name"], "version": p["version"],
             "purl": purl, "scope": "excluded" if macro else "required"}
        if p.get("license"):
            c["licenses"] = [{"expression": p["license"]}]
        if p.get("description"):
            c["description"] = " ".join(p["description"].split())
        checksum = lock.get((p["name"], p["version"]))
        if checksum:
            c["hashes"] = [{"alg": "SHA-256", "content": checksum}]
        if p.get("repository"):
            c["externalReferences"] = [{"type": "vcs", "url": p["repository"]}]
        components.append(c)
    for path in metadata_files:
        meta = json.loads(read(path))
        for n in meta["resolve"]["nodes"]:
            if n["id"] in reachable:
                ref = f"pkg:cargo/{packages[n['id']]['name']}@{packages[n['id']]['version']}"
                deps = edges.setdefault(ref, set())
                for dep in n["deps"]:
                    if any(k["kind"] is None for k in dep["dep_kinds"]):
                        q = packages[dep["pkg"]]
                        deps.add(f"pkg:cargo/{q['name']}@{q['version']}")
    me = packages[root]
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": "urn:uuid:" + uuid_from(f"{NAME}@{version}:" + sha256(canonical(components))),
        "version": 1,
        "metadata": {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(EPOCH)),
            "tools": {"components": [{"type": "application", "name": "scripts/release.py",
                                      "description": "from cargo metadata and Cargo.lock"}]},
            "component": {"type": "application", "bom-ref": f"pkg:cargo/{NAME}@{version}",
                          "name": NAME, "version": version, "purl": f"pkg:cargo/{NAME}@{version}",
                          "licenses": [{"expression": me.get("license") or "Apache-2.0"}],
                          "externalReferences": [{"type": "vcs", "url": source}]},
        },
        "components": components,
        "dependencies": [{"ref": r, "dependsOn": sorted(d)} for r, d in sorted(edges.items())],
    }
    with open(out, "w") as f:
        json.dump(bom, f, indent=2, sort_keys=True)
        f.write("\n")


def uuid_from(text: str) -> str:
    h = sha256(text.encode())
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-8{h[17:20]}-{h[20:32]}"


def notes(changelog, version):
    text = read(changelog).decode()
    m = re.search(rf"^## \[{re.escape(version)}\][^\n]*\n(.*?)(?=^## \[|\Z)", text, re.M | re.S)
    if not m or not m.group(1).strip():
        sys.exit(f"release.py: CHANGELOG.md has no section '## [{version}]'")
    sys.stdout.write(m.group(1).strip() + "\n")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"archive": archive, "image": image, "krew": krew, "sbom": sbom, "notes": notes}[cmd](*args)
