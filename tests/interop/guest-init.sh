#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-or-later
# /init of the interop test's initramfs.  Every result goes to the console
# as one "INTEROP <key> <values>" line that interop-test.py parses; at
# "INTEROP wait <what>" the guest reads one line from the console, which
# the host sends once it has done its part.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev

say() { echo "INTEROP $*"; }
wait_host() { say wait "$1"; read -r reply; say got "$reply"; }
finish() { say done; poweroff -f; }

# 32-bit little-endian register access at BAR0 + offset.
reg_rd() { devmem $((bar0 + $1)) 32; }
reg_wr() { devmem $((bar0 + $1)) 32 $2; }
reg_wr64() {
    reg_wr $1 $(($2 & 0xffffffff))
    reg_wr $(($1 + 4)) $((($2 >> 32) & 0xffffffff))
}

say boot "$(uname -r)" "$(cat /proc/cmdline)"
bdf=
for d in /sys/bus/pci/devices/*; do
    say pci "${d##*/}" "$(cat $d/vendor)" "$(cat $d/device)" "$(cat $d/class)"
    if [ "$(cat $d/vendor):$(cat $d/device)" = "0x5653:0x0d4a" ]; then
        bdf=${d##*/}
    fi
done
[ -n "$bdf" ] || finish
dev=/sys/bus/pci/devices/$bdf
i=0
while read -r start end flags; do
    [ "$start" = 0x0000000000000000 ] || say bar $i $start $end $flags
    i=$((i + 1))
done < $dev/resource
bar0=$(($(cut -d' ' -f1 < $dev/resource | head -n 1)))

for m in /lib/modules/*.ko; do
    insmod $m && say insmod "${m##*/}"
done
wait_host bind
echo e1000e > $dev/driver_override
echo $bdf > /sys/bus/pci/drivers_probe
drv=$(readlink $dev/driver)
say driver "${drv##*/}"

# The trailing slash makes find enter the /proc/device-tree symlink.
ddw=$(find /proc/device-tree/ -name 'linux,direct64-ddr-window-info')
say ddw-count $(echo $ddw | wc -w)
for f in $ddw; do
    say ddw "$f" "$(hexdump -v -e '1/1 "%02x"' $f)"
done
# struct dynamic_dma_window_prop: be32 liobn, 4 bytes of padding, be64
# dma_base, be32 tce_shift, be32 window_shift.
dma_base=
if [ -n "$ddw" ]; then
    hex=$(hexdump -v -e '1/1 "%02x"' $(echo $ddw | cut -d' ' -f1))
    dma_base=$((0x$(echo $hex | cut -c17-32)))
fi

# Drive the engine from the guest: Memory Space + Bus Master, then a
# CHECKSUM of guest memory at the probe address through the DDW.
# $1 names the result line.
guest_dma() {
    gpa=$(cat /proc/cmdline | sed -n 's/.*interop.gpa=\([^ ]*\).*/\1/p')
    len=$(cat /proc/cmdline | sed -n 's/.*interop.len=\([^ ]*\).*/\1/p')
    printf '\006\000' | dd of=$dev/config bs=1 seek=4 conv=notrunc 2>/dev/null
    say command "$(hexdump -s 4 -n 2 -v -e '1/2 "%04x"' $dev/config)"
    say engine-id "$(reg_rd 0)"
    reg_wr64 0x08 $((dma_base + gpa))
    reg_wr64 0x18 $len
    reg_wr 0x28 3
    say $1 "$(reg_rd 0x2c)" "$(reg_rd 0x34)$(reg_rd 0x30 | cut -c3-)" \
        "$(reg_rd 0x40)" "$((dma_base + gpa))" "$len"
}
# The uio_pci_generic line of /proc/interrupts: number, count, name...
uio_irq() { grep uio_pci_generic /proc/interrupts | tr -s ' ' | sed 's/^ //'; }

mode=$(cat /proc/cmdline | sed -n 's/.*interop.mode=\([^ ]*\).*/\1/p')
if [ "$mode" = irq ] && [ -n "$dma_base" ]; then
    # INTx through QEMU to a Linux handler: uio_pci_generic requests the
    # device's interrupt; its handler tells its own by STATUS.Interrupt
    # and masks it with COMMAND.INTx Disable.
    echo uio_pci_generic > $dev/driver_override
    echo $bdf > /sys/bus/pci/drivers_probe
    drv=$(readlink $dev/driver)
    say uio-driver "${drv##*/}"
    say irq-before $(uio_irq)
    guest_dma guest-dma
    sleep 1
    say irq-after $(uio_irq)
    say irq-status "$(hexdump -s 4 -n 4 -v -e '1/4 "%08x"' $dev/config)"
    # EEH: the host freezes the PE; the next config read sees all ones
    # and Linux's EEH core takes over.
    wait_host freeze
    say eeh-read "$(hexdump -n 4 -v -e '1/4 "%08x"' $dev/config)"
    i=0
    while [ $i -lt 60 ]; do
        dmesg | grep -q -E 'EEH: (Recovery successful|Unable to recover|Permanent)' && break
        sleep 1
        i=$((i + 1))
    done
    dmesg | grep -E 'EEH|eeh' | sed 's/^\[[ 0-9.]*\] //' | while read -r l; do
        say eeh-log "$l"
    done
    sleep 1
    dev=/sys/bus/pci/devices/$bdf
    say eeh-after "$(cat $dev/vendor 2>/dev/null)" "$(cat $dev/device 2>/dev/null)"
    bar0=$(($(cut -d' ' -f1 < $dev/resource | head -n 1)))
    guest_dma guest-dma-after-eeh
elif [ -n "$dma_base" ]; then
    guest_dma guest-dma
fi
wait_host end
finish
