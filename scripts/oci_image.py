#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes an OCI image archive (an oci-layout, an index.json and the blobs,
in one tar) of one layer made from a root directory: what `podman load`,
`skopeo copy oci-archive:` and `umoci` (once unpacked) accept, with no
registry and no container engine.

The archive is reproducible: files in name order, owned by root, with one
modification time (SOURCE_DATE_EPOCH), gzip without a name or time.

usage: oci_image.py ROOTFS OUTPUT.tar --ref NAME:TAG --entrypoint PATH
           [--user UID:GID] [--port N] [--label K=V ...]
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import tarfile
import time


def layer_tar(rootfs, mtime):
    """The uncompressed layer: every file under rootfs, in name order."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        paths = []
        for top, dirs, files in os.walk(rootfs):
            dirs.sort()
            for name in sorted(dirs + files):
                paths.append(os.path.join(top, name))
        for path in sorted(paths, key=lambda p: os.path.relpath(p, rootfs)):
            info = tar.gettarinfo(path, arcname=os.path.relpath(path, rootfs))
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.mtime = mtime
            if info.isreg():
                with open(path, "rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)
    return buf.getvalue()


def blob(blobs, data, media_type):
    """Stores data under its digest; returns its descriptor."""
    digest = hashlib.sha256(data).hexdigest()
    blobs[digest] = data
    return {"mediaType": media_type, "digest": f"sha256:{digest}", "size": len(data)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rootfs")
    ap.add_argument("output")
    ap.add_argument("--ref", required=True, help="name:tag, as podman shows it")
    ap.add_argument("--entrypoint", required=True)
    ap.add_argument("--user", default="65534:65534")
    ap.add_argument("--port", type=int, action="append", default=[])
    ap.add_argument("--label", action="append", default=[])
    args = ap.parse_args()
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(mtime))

    raw = layer_tar(args.rootfs, mtime)
    packed = gzip.compress(raw, compresslevel=9, mtime=0)
    blobs = {}
    layer = blob(blobs, packed, "application/vnd.oci.image.layer.v1.tar+gzip")
    labels = dict(kv.split("=", 1) for kv in args.label)
    config = {
        "created": created,
        "architecture": {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine,
                                                                    os.uname().machine),
        "os": "linux",
        "config": {
            "User": args.user,
            "Entrypoint": [args.entrypoint],
            "ExposedPorts": {f"{p}/tcp": {} for p in args.port},
            "Labels": labels,
            "Env": ["PATH=/usr/bin:/bin"],
        },
        "rootfs": {"type": "layers",
                   "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]},
        "history": [{"created": created, "created_by": "scripts/build-image.sh"}],
    }
    config_desc = blob(blobs, json.dumps(config, sort_keys=True).encode(),
                       "application/vnd.oci.image.config.v1+json")
    manifest = {"schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": config_desc, "layers": [layer],
                "annotations": {"org.opencontainers.image.created": created}}
    manifest_desc = blob(blobs, json.dumps(manifest, sort_keys=True).encode(),
                         "application/vnd.oci.image.manifest.v1+json")
    name, tag = args.ref.rsplit(":", 1)
    # podman names the loaded image after the full reference; umoci and
    # skopeo select it by the tag.
    manifest_desc["annotations"] = {
        "org.opencontainers.image.ref.name": tag,
        "io.containerd.image.name": f"{name}:{tag}",
    }
    index = {"schemaVersion": 2,
             "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": [manifest_desc]}

    files = {"oci-layout": json.dumps({"imageLayoutVersion": "1.0.0"}).encode(),
             "index.json": json.dumps(index, sort_keys=True).encode()}
    for digest, data in blobs.items():
        files[f"blobs/sha256/{digest}"] = data
    with tarfile.open(args.output, "w", format=tarfile.PAX_FORMAT) as out:
        for d in ("blobs", "blobs/sha256"):
            info = tarfile.TarInfo(d)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, mtime
            out.addfile(info)
        for path in sorted(files):
            info = tarfile.TarInfo(path)
            info.size, info.mode, info.mtime = len(files[path]), 0o644, mtime
            out.addfile(info, io.BytesIO(files[path]))
    print(f"{args.output}: {args.ref}, layer {len(packed)} bytes "
          f"({len(raw)} unpacked), manifest {manifest_desc['digest']}")


if __name__ == "__main__":
    main()
