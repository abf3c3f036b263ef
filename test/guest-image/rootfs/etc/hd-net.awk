# Reads a NoCloud network-config (version 1 as PVE writes it, or version 2) and prints what the guest applies:
#   if <mac|-> <name|-> <dhcp4 0|1> <gw4|-> <gw6|-> <cidr>...     one line per interface
#   dns <addr>...   and   search <domain>...
# A small YAML subset on purpose: the documents come from our generator or PVE-style hand-written seeds.
function unq(s) { sub(/^[ \t]*-[ \t]*/, "", s); gsub(/["' \t\r]/, "", s); return s }
function val(s) { sub(/^[^:]*:[ \t]*/, "", s); return unq(s) }
function bits(m,   n, i, p, b) { n = 0; split(m, p, "."); for (i = 1; i <= 4; i++) { b = p[i] + 0; while (b > 0) { n += b % 2; b = int(b / 2) } } return n }
function settle(   a) {
  if (pend == "") return
  a = pend
  if (a !~ /\//) a = a "/" (pmask != "" ? bits(pmask) : (a ~ /:/ ? 64 : 24))
  addrs = addrs " " a; pend = ""; pmask = ""
}
function flush() {
  settle()
  if (open) printf "if %s %s %d %s %s%s\n", (mac == "" ? "-" : tolower(mac)), (name == "" ? "-" : name), dhcp, (gw == "" ? "-" : gw), (gw6 == "" ? "-" : gw6), addrs
  open = 0; ns = 0; mac = ""; name = ""; dhcp = 0; gw = ""; gw6 = ""; addrs = ""; rto = ""; rvia = ""
}
function additem(x) {
  if (list == "dns") dns = dns " " x
  else if (list == "search") search = search " " x
  else if (list == "addrs") { pend = x; settle() }
}
function route() { if ((rto == "default" || rto == "0.0.0.0/0") && rvia != "") gw = rvia; if ((rto == "::/0") && rvia != "") gw6 = rvia }
{
  line = $0; sub(/#.*/, "", line); if (line ~ /^[ \t]*$/) next
  match(line, /[^ ]/); ind = RSTART - 1; body = substr(line, RSTART)
  if (list != "" && body ~ /^- / && body !~ /: /) { additem(unq(body)); next }
  list = ""
  if (nsind != "" && ind <= nsind) nsind = ""
  if (ethind != "" && ind <= ethind) { flush(); ethind = "" }
  key = body; sub(/^- /, "", key); sub(/:.*/, "", key); v = val(body)
  if (key == "ethernets") { ethind = ind; ifind = ""; next }
  if (ethind != "" && (ifind == "" || ind == ifind) && body ~ /:[ \t]*$/ && body !~ /^- /) { flush(); open = 1; ifind = ind; name = key; next }
  if (key == "type") {
    if (v == "physical") { flush(); open = 1 }
    else if (v == "nameserver") { flush(); ns = 1 }
    else if (v == "static" || v == "static6") settle()
    else if (v == "dhcp" || v == "dhcp4") dhcp = 1
    next
  }
  if (key == "nameservers") { nsind = ind; next }
  if (key == "name" && ethind == "") { name = v; next }
  if (key == "mac_address" || key == "macaddress") { mac = v; next }
  if (key == "netmask") { pmask = v; next }
  if (key == "gateway" || key == "gateway4" || key == "gateway6") { if (v ~ /:/) gw6 = v; else gw = v; next }
  if (key == "dhcp4" && (v == "true" || v == "yes")) { dhcp = 1; next }
  if (key == "to") { if (body ~ /^- /) { rvia = "" } rto = v; route(); next }
  if (key == "via") { if (body ~ /^- /) { rto = "" } rvia = v; route(); next }
  if (key == "search") { if (v == "") list = "search"; else { gsub(/[][,]/, " ", v); search = search " " v }; next }
  if (key == "address" || key == "addresses") {
    target = (ns || nsind != "") ? "dns" : "addrs"
    if (v == "") { list = target; next }
    if (index(v, "[") == 1) { gsub(/[][]/, "", v); n = split(v, items, ","); for (i = 1; i <= n; i++) { list = target; additem(items[i]) } list = ""; next }
    if (target == "dns") dns = dns " " v; else pend = v
    next
  }
}
END { flush(); if (dns != "") print "dns" dns; if (search != "") print "search" search }
