/*
 * Every device type of the build, registered explicitly so nothing
 * depends on link order.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci-testdev.h"
#include "hw/mem/pc-dimm.h"
#include "hw/ppc/spapr_pci.h"

/*
 * Optional parts of the build (hw/vfio) define this; a weak reference
 * keeps the machine linkable without them.
 */
void vfio_pci_register_types(void) __attribute__((weak));

void hw_register_types(void)
{
    static bool done;

    if (done) {
        return;
    }
    done = true;
    spapr_pci_register_types();
    pci_testdev_register_types();
    pci_qmp_register();
    pc_dimm_register_types();
    if (vfio_pci_register_types) {
        vfio_pci_register_types();
    }
}
