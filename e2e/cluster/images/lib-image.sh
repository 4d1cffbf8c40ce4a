# Helpers for the image scripts: build a root filesystem from host files and pack it as a one-layer
# image archive, without Docker or a registry (coreutils + tar only). Sourced, not executed.
# shellcheck shell=bash
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
ensure_prereqs all || exit
mkdir -p "$IMAGES_DIR"

APP_UID=10001   # the non-root user every base image provides

# copy_with_deps ROOTFS FILE...: copy files (keeping their absolute paths) plus every shared library
# they load, as ldd resolves them on this host, plus the dynamic loader.
copy_with_deps() {
  local root=$1; shift
  local f lib
  for f in "$@"; do
    copy_path "$root" "$f"
    while read -r lib; do copy_path "$root" "$lib"; done < <(ldd "$f" 2>/dev/null | ldd_deps)
  done
}

# ldd_deps: read `ldd` output on stdin, print the library paths (including the loader).
ldd_deps() { awk '$2=="=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'; }

# copy_path ROOTFS PATH: copy one file, following symlinks but recreating them, so that both the
# link name and its target exist in the image (libfoo.so.6 -> libfoo.so.6.0.30).
copy_path() {
  local root=$1 p=$2 target
  [[ -e $root$p ]] && return
  mkdir -p "$root$(dirname "$p")"
  if [[ -L $p ]]; then
    target=$(readlink -f "$p")
    copy_path "$root" "$target"
    ln -sf "$target" "$root$p"
  else
    cp -a "$p" "$root$p"
  fi
}

# base_files ROOTFS: /etc/passwd with root, nobody and the app user 10001, /tmp 1777, a home directory,
# CA certificates and minimal name-service config.
base_files() {
  local root=$1
  # Debian's merged-/usr layout, so host library paths (/lib/..., /usr/lib/...) land in the same place.
  mkdir -p "$root"/{etc,tmp,home/app,root,usr/bin,usr/sbin,usr/lib,usr/lib64}
  ln -sfn usr/bin "$root/bin"; ln -sfn usr/sbin "$root/sbin"; ln -sfn usr/lib "$root/lib"; ln -sfn usr/lib64 "$root/lib64"
  chmod 1777 "$root/tmp"
  cat > "$root/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
app:x:$APP_UID:$APP_UID:app:/home/app:/bin/sh
PASSWD
  cat > "$root/etc/group" <<GROUP
root:x:0:
nogroup:x:65534:
app:x:$APP_UID:
GROUP
  echo 'hosts: files dns' > "$root/etc/nsswitch.conf"
  printf '127.0.0.1 localhost\n' > "$root/etc/hosts"
  if [[ -d /etc/ssl/certs ]]; then mkdir -p "$root/etc/ssl/certs"; cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/" 2>/dev/null || true; fi
  chown -R 0:0 "$root"
  chown "$APP_UID:$APP_UID" "$root/home/app"
}

# add_busybox ROOTFS: a static busybox as /bin/sh and friends, for shells, probes and debugging.
add_busybox() {
  local root=$1 applet
  [[ -x /bin/busybox ]] || die "/bin/busybox missing (e2e/cluster/prereqs installs busybox-static)"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [[ -e $root/bin/$applet || -e $root/usr/bin/$applet ]] || ln -s busybox "$root/bin/$applet"
  done
}

# Deterministic layer: sorted names, numeric owners, fixed mtime.
_layer_tar() { tar --sort=name --numeric-owner --mtime='1970-01-01 00:00:01Z' -C "$1" -cf "$2" .; }

# image_config ENTRYPOINT_JSON ENV_JSON USER DIFFID: an OCI/Docker image config for one layer.
_image_config() {
  printf '{"architecture":"amd64","os":"linux","config":{"Entrypoint":%s,"Env":%s,"User":"%s","WorkingDir":"%s"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"procgroup e2e/cluster/images"}]}' \
    "$1" "$2" "$3" "$4" "$5"
}

# mkimage_docker ROOTFS NAME:TAG OUT.tar ENTRYPOINT_JSON|null ENV_JSON [USER] [WORKDIR]
# One-layer image in `docker save` format: what Jib's tar:// base needs; ctr import accepts it too
# (and normalizes the name to docker.io/...).
mkimage_docker() {
  local rootfs=$1 name=$2 out=$3 entry=$4 envj=$5 user=${6:-} wd=${7:-/}
  local work diffid cdig
  work=$(mktemp -d)
  _layer_tar "$rootfs" "$work/layer.tar"
  diffid=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  mkdir "$work/$diffid" && mv "$work/layer.tar" "$work/$diffid/layer.tar"
  _image_config "$entry" "$envj" "$user" "$wd" "$diffid" > "$work/config.json"
  cdig=$(sha256sum "$work/config.json" | cut -d' ' -f1); mv "$work/config.json" "$work/$cdig.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$cdig" "$name" "$diffid" > "$work/manifest.json"
  tar -C "$work" -cf "$out.tmp" manifest.json "$cdig.json" "$diffid" && mv "$out.tmp" "$out"
  rm -rf "$work"
  log "wrote ${out#"$CLUSTER_DIR"/} ($name, $(du -m "$out" | cut -f1) MB)"
}

# mkimage_oci ROOTFS NAME OUT.tar ENTRYPOINT_JSON ENV_JSON [USER]
# One-layer OCI archive whose io.containerd.image.name annotation keeps NAME verbatim on import
# (needed for registry.k8s.io/pause, which must equal containerd's sandbox_image exactly).
mkimage_oci() {
  local rootfs=$1 name=$2 out=$3 entry=$4 envj=$5 user=${6:-}
  local work diffid ldig lsize cdig csize mdig msize
  work=$(mktemp -d); mkdir -p "$work/blobs/sha256"
  _layer_tar "$rootfs" "$work/layer.tar"
  diffid=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  gzip -n -9 "$work/layer.tar"
  ldig=$(sha256sum "$work/layer.tar.gz" | cut -d' ' -f1); lsize=$(stat -c %s "$work/layer.tar.gz")
  mv "$work/layer.tar.gz" "$work/blobs/sha256/$ldig"
  _image_config "$entry" "$envj" "$user" / "$diffid" > "$work/config.json"
  cdig=$(sha256sum "$work/config.json" | cut -d' ' -f1); csize=$(stat -c %s "$work/config.json")
  mv "$work/config.json" "$work/blobs/sha256/$cdig"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$cdig" "$csize" "$ldig" "$lsize" > "$work/manifest.json"
  mdig=$(sha256sum "$work/manifest.json" | cut -d' ' -f1); msize=$(stat -c %s "$work/manifest.json")
  mv "$work/manifest.json" "$work/blobs/sha256/$mdig"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
    "$mdig" "$msize" "$name" "$name" > "$work/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$work/oci-layout"
  tar -C "$work" -cf "$out.tmp" oci-layout index.json blobs && mv "$out.tmp" "$out"
  rm -rf "$work"
  log "wrote ${out#"$CLUSTER_DIR"/} ($name)"
}

# run_in_root ROOTFS CMD...: run CMD chrooted into ROOTFS with a private /proc (glibc resolves $ORIGIN
# RPATHs through /proc/self/exe). The mount lives in a private mount namespace and dies with it.
run_in_root() {
  local root=$1; shift
  mkdir -p "$root/proc"
  unshare --mount --pid --fork sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$root" "$@"
}
