# Part of the environment library (scripts/lib/env.sh): TLS for nodes, made
# on the spot with openssl. A CA and certificates in one directory, and the
# ssl_dist_optfile of a node that speaks Erlang's TLS distribution
# (inet_tls_dist): start it with `peb_env_node NODE $(peb_env_tls_flags FILE)`.
#
# peb_env_tls_certs DIR makes (once; concurrent callers share one set):
#   ca.pem/.key            the CA every node and PHP trust
#   other-ca.pem/.key      a CA nobody trusts (PHP's "wrong CA")
#   node.pem/.key          a node's: IP 127.0.0.1 and DNS localhost, by ca
#   client.pem/.key        PHP's client certificate, by ca
#   stranger.pem/.key      a client certificate by other-ca
#   expired.pem/.key       a node's, by ca, expired yesterday
#   wrongname.pem/.key     a node's, by ca, for elsewhere.invalid only
# All keys are P-256; certificates last 30 days.

peb_env_tls_key() {   # DIR NAME
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1/$2.key" 2>/dev/null
}

# A certificate NAME by the CA CA (ca or other-ca): SAN and usage as given.
peb_env_tls_cert() {   # DIR NAME CA DAYS SAN USAGE
  local dir=$1 name=$2 ca=$3 days=$4 san=$5 usage=$6 ext
  peb_env_tls_key "$dir" "$name" || return
  ext="$dir/$name.ext"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=%s\n' "$usage" >"$ext"
  [ -z "$san" ] || printf 'subjectAltName=%s\n' "$san" >>"$ext"
  openssl req -new -key "$dir/$name.key" -subj "/CN=peb test $name" -out "$dir/$name.csr" 2>/dev/null &&
    peb_env_tls_sign "$dir" "$name" "$ca" "$days" "$ext" &&
    rm -f "$dir/$name.csr" "$dir/$name.ext"
}

# Signs NAME's request by CA for DAYS; a negative DAYS makes a certificate
# that expired that many days ago: OpenSSL 3.0 (Debian 12) takes `-days -1`,
# OpenSSL 3.5 (Debian 13) refuses it ("end date before start date") and has
# -not_before/-not_after instead.
peb_env_tls_sign() {   # DIR NAME CA DAYS EXTFILE
  local dir=$1 name=$2 ca=$3 days=$4 ext=$5 serial
  serial="0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
  local sign=(openssl x509 -req -in "$dir/$name.csr" -CA "$dir/$ca.pem" -CAkey "$dir/$ca.key"
    -set_serial "$serial" -extfile "$ext" -out "$dir/$name.pem")
  "${sign[@]}" -days "$days" 2>/dev/null && return 0
  [ "$days" -lt 0 ] || return 1
  "${sign[@]}" -not_before "$(date -u -d "$((days - 1)) days" +%Y%m%d%H%M%SZ)" \
    -not_after "$(date -u -d "$days days" +%Y%m%d%H%M%SZ)" 2>/dev/null
}

peb_env_tls_ca() {   # DIR NAME
  peb_env_tls_key "$1" "$2" &&
    openssl req -x509 -new -key "$1/$2.key" -subj "/CN=peb test $2" -days 30 \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
      -out "$1/$2.pem" 2>/dev/null
}

# Makes the set in DIR unless it is there; echoes DIR.
peb_env_tls_certs() {   # DIR
  local dir=$1 tmp
  [ -s "$dir/ca.pem" ] && { echo "$dir"; return 0; }
  command -v openssl >/dev/null || peb_env_err "openssl is missing (scripts/setup installs it)" || return
  tmp=$(mktemp -d "$dir.XXXXXX") || return
  chmod 700 "$tmp"
  local local_names="IP:127.0.0.1,DNS:localhost"
  if peb_env_tls_ca "$tmp" ca && peb_env_tls_ca "$tmp" other-ca &&
    peb_env_tls_cert "$tmp" node ca 30 "$local_names" serverAuth,clientAuth &&
    peb_env_tls_cert "$tmp" client ca 30 "" clientAuth &&
    peb_env_tls_cert "$tmp" stranger other-ca 30 "" clientAuth &&
    peb_env_tls_cert "$tmp" expired ca -1 "$local_names" serverAuth,clientAuth &&
    peb_env_tls_cert "$tmp" wrongname ca 30 "DNS:elsewhere.invalid" serverAuth,clientAuth; then
    # Whoever renames first made the set; a later one drops its own.
    mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
    echo "$dir"
  else
    rm -rf "$tmp"
    peb_env_err "could not make the TLS certificates"
  fi
}

# Writes a node's ssl_dist_optfile: its certificate CERT (a name of the
# set in DIR), the CA it trusts, TLS VERSIONS (tlsv1.2, tlsv1.3 or both,
# comma-separated) and whether clients must show a certificate
# (require|optional). Its client side (to other nodes) uses the same
# certificate and checks the other node's chain and name: OTP 25 checks a
# node's host against the certificate's DNS names only, so nodes that
# connect to each other are named @localhost (or a DNS name), not by an
# IP address.
peb_env_tls_optfile() {   # FILE DIR CERT VERSIONS require|optional
  local file=$1 dir=$2 cert=$3 versions peer
  versions=$(echo "$4" | sed "s/[^,]*/'&'/g")
  case $5 in
    require) peer="{verify,verify_peer},{fail_if_no_peer_cert,true}" ;;
    *) peer="{verify,verify_none}" ;;
  esac
  cat >"$file" <<OPTS
[{server,[{certfile,"$dir/$cert.pem"},{keyfile,"$dir/$cert.key"},{cacertfile,"$dir/ca.pem"},
          {versions,[$versions]},$peer]},
 {client,[{certfile,"$dir/$cert.pem"},{keyfile,"$dir/$cert.key"},{cacertfile,"$dir/ca.pem"},
          {versions,[$versions]},{verify,verify_peer}]}].
OPTS
}

# The emulator flags of a node speaking TLS distribution with OPTFILE.
peb_env_tls_flags() {   # OPTFILE
  echo "-proto_dist inet_tls -ssl_dist_optfile $1"
}
