#!/usr/bin/env bash
# The generated filter, loaded for real: a table of (policy, syscall number,
# raw 64-bit arguments) -> outcome, run by `probe raw` under vxe run in
# production. "=" means the call must reach the kernel and give what it gives
# unconfined; stdin is /dev/null, so a terminal ioctl that passes answers
# ENOTTY and one that is refused answers EPERM. Checks SPEC 5.5/5.6: TIOCSTI
# and namespace flags by the low 32 bits, 32-bit arguments by their low half,
# clone3 and unknown numbers ENOSYS.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_live

policy "$T/t.vxed" strict "(permit ioctl unshare)" \
	"(permit fcntl (fd cmd arg) (= cmd F_GETFL))" \
	"(permit dup2 (oldfd newfd) (/= newfd 0))"
fline=$(grep -n 'permit fcntl' "$T/t.vxed" | cut -d: -f1)
policy "$T/wide.vxed" strict "(permit fcntl (fd cmd arg) (= cmd 4294967297))"
policy "$T/widene.vxed" strict "(permit fcntl (fd cmd arg) (/= cmd 4294967297))"

# policy|nr args|want|log syscall (- none)|rule|todo
rows=(
	"t|16 0 0x5413|=|-||"
	"t|16 0 0x541b|=|-||"
	"t|16 0 0x5401|=|-||"
	"t|16 0 0x5412|errno=EPERM|ioctl|escape|"
	"t|16 0 0x541c|errno=EPERM|ioctl|escape|"
	"t|16 0 0x100005412|errno=EPERM|ioctl|escape|"
	"t|16 0 0xffffffff00005412|errno=EPERM|ioctl|escape|"
	"t|16 0 0x10000541c|errno=EPERM|ioctl|escape|"
	"t|16 0 0x100005413|=|-||"
	"t|16 0 0xffffffffc0045401|=|-||"
	"t|16 0 0xc0045401|=|-||"
	"t|72 0 3|=|-||"
	"t|72 0 0xffffffff00000003|=|-||"
	"t|72 0 1|errno=EPERM|fcntl|permit:$fline|"
	"t|72 0 0x100000001|errno=EPERM|fcntl|permit:$fline|"
	"t|33 0 5|=|-||"
	"t|33 5 0|errno=EPERM|dup2||"
	"t|33 5 0x100000000|errno=EPERM|dup2||"
	"t|56 0x10000011|errno=EPERM|clone|escape|"
	"t|56 0x40000011|errno=EPERM|clone|escape|"
	"t|56 0x11|=|-||"
	"t|272 0x10000000|errno=EPERM|unshare|escape|"
	"t|272 0x400|=|-||"
	"t|435 0 0|errno=ENOSYS|-||"
	"t|39|=|-||"
	"t|110|errno=EPERM|getppid|unlisted|"
	"t|500|errno=ENOSYS|||"
	"t|1000|errno=ENOSYS|||"
	"wide|72 0 1|errno=EPERM|fcntl||"
	"widene|72 0 1|=|-||"
)

for row in "${rows[@]}"; do
	IFS='|' read -r pol call want logsys rule bug <<<"$row"
	# shellcheck disable=SC2086
	[[ $want == "=" ]] && want=$(unconfined raw $call </dev/null)
	# shellcheck disable=SC2086
	run production "$T/$pol.vxed" raw $call
	desc="$pol: syscall($call) -> $want"
	if [[ -n $bug ]]; then
		todo "$bug" "$desc" res_is raw "$want"
		continue
	fi
	check "$desc" res_is raw "$want"
	if [[ $logsys == - ]]; then
		check "$pol: syscall($call): no log" lognone
	elif [[ -n $logsys ]]; then
		q=(syscall="$logsys" action=blocked)
		[[ -n $rule ]] && q+=(rule="$rule")
		check "$pol: syscall($call): logged $logsys ${rule:+rule $rule}" logq "${q[@]}"
	fi
done

finish
