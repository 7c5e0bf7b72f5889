/*
 * Shared between the device registry (qdev.c) and property handling
 * (qdev-props.c); not for device models.
 */
#ifndef SYSTEM_QDEV_INTERNAL_H
#define SYSTEM_QDEV_INTERNAL_H

#include "hw/qdev.h"

const Property *qdev_find_prop(const DeviceClass *dc, const char *name);
bool qdev_prop_parse(DeviceState *dev, const Property *prop,
                     const char *value, Error **errp);
void qdev_prop_set_defaults(DeviceState *dev);
void qdev_prop_free_all(DeviceState *dev);
/* Every registered class (g_list_free the list, not the classes). */
GList *qdev_class_list(void);

#endif
