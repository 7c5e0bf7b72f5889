/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Shared between the device registry (qdev.c) and property handling
 * (qdev-props.c); not for device models.
 */
#ifndef SYSTEM_QDEV_INTERNAL_H
#define SYSTEM_QDEV_INTERNAL_H

#include "hw/qdev.h"
#include <json-glib/json-glib.h>

const Property *qdev_find_prop(const DeviceClass *dc, const char *name);
bool qdev_prop_parse(DeviceState *dev, const Property *prop,
                     const char *value, Error **errp);
void qdev_prop_set_defaults(DeviceState *dev);
void qdev_prop_free_all(DeviceState *dev);
/* The QOM container ("peripheral", ...) and name of a device. */
const char *qdev_qom_container(DeviceState *dev);
char *qdev_qom_name(DeviceState *dev);
/* Typed values for QOM (qom-get, device-list-properties). */
const char *qdev_prop_type_name(const Property *prop);
JsonNode *qdev_prop_get_json(DeviceState *dev, const Property *prop);
/* The property's default as JSON, NULL when it has none. */
JsonNode *qdev_prop_default_json(const DeviceClass *dc,
                                 const Property *prop);
/* Would @value parse for @prop of @dc? (-global checks it early.) */
bool qdev_prop_check_value(const DeviceClass *dc, const Property *prop,
                           const char *value, Error **errp);
/*
 * -global DRIVER.PROP=VALUE: a default for PROP of every DRIVER device
 * made from now on (the machine's own too), before their own options.
 */
bool qdev_global_add(const char *driver, const char *prop,
                     const char *value, Error **errp);
void qdev_globals_clear(void);
/* Every registered class (g_list_free the list, not the classes). */
GList *qdev_class_list(void);

#endif
