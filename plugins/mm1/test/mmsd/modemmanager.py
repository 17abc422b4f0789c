'''ModemManager D-Bus mock (python-dbusmock template) with one modem, enough for mmsd-tng.

One modem (own number, SIM with IMSI and operator, one connected bearer on a given network
interface with the MMS APN) and a Messaging interface. The test hands it the TP-User-Data of
SMS-DELIVERs (`DeliverSms` on org.freedesktop.DBus.Mock); like ModemManager, the mock joins
concatenated parts (UDH IEs 0x00 / 0x08) and publishes the whole user data as one received SMS
(`Data`, UDH stripped), which is what mmsd-tng reads for WAP Push.

Parameters (JSON, `-p`): OwnNumber, Imsi, OperatorIdentifier, OperatorName, Apn, Interface,
Dns (IPv4 address).

Run: python3 -m dbusmock --template path/to/modemmanager.py -p '{"OwnNumber": "+15550000001"}'
(on the bus named by DBUS_SYSTEM_BUS_ADDRESS).
'''

from datetime import datetime, timezone

import dbus

from dbusmock import MOCK_IFACE
from dbusmock.mockobject import objects

BUS_NAME = 'org.freedesktop.ModemManager1'
MAIN_OBJ = '/org/freedesktop/ModemManager1'
MAIN_IFACE = 'org.freedesktop.ModemManager1'
SYSTEM_BUS = True

OBJECT_MANAGER_IFACE = 'org.freedesktop.DBus.ObjectManager'
MODEM_IFACE = 'org.freedesktop.ModemManager1.Modem'
MESSAGING_IFACE = 'org.freedesktop.ModemManager1.Modem.Messaging'
SIM_IFACE = 'org.freedesktop.ModemManager1.Sim'
BEARER_IFACE = 'org.freedesktop.ModemManager1.Bearer'
SMS_IFACE = 'org.freedesktop.ModemManager1.Sms'

MODEM_PATH = MAIN_OBJ + '/Modem/0'
SIM_PATH = MAIN_OBJ + '/SIM/0'
BEARER_PATH = MAIN_OBJ + '/Bearer/0'

# ModemManager enums (ModemManager-enums.h)
MM_MODEM_STATE_CONNECTED = 11
MM_MODEM_LOCK_NONE = 1
MM_MODEM_POWER_STATE_ON = 3
MM_MODEM_CAPABILITY_GSM_UMTS_LTE = 4 | 8
MM_MODEM_ACCESS_TECHNOLOGY_LTE = 1 << 14
MM_BEARER_IP_METHOD_STATIC = 2
MM_BEARER_IP_FAMILY_IPV4 = 1
MM_BEARER_TYPE_DEFAULT = 1
MM_SMS_STATE_RECEIVED = 3
MM_SMS_PDU_TYPE_DELIVER = 1
MM_SMS_STORAGE_ME = 2

NOT_SUPPORTED = 'raise dbus.exceptions.DBusException("not supported by the mock", name="org.freedesktop.ModemManager1.Error.Core.Unsupported")'


def _s(v):
    return dbus.String(v, variant_level=1)


def _u(v):
    return dbus.UInt32(v, variant_level=1)


def _i(v):
    return dbus.Int32(v, variant_level=1)


def _b(v):
    return dbus.Boolean(v, variant_level=1)


def _o(v):
    return dbus.ObjectPath(v, variant_level=1)


def _as(v):
    return dbus.Array(v, signature='s', variant_level=1)


def _ao(v):
    return dbus.Array([dbus.ObjectPath(p) for p in v], signature='o', variant_level=1)


def _dict(d):
    return dbus.Dictionary(d, signature='sv', variant_level=1)


def load(mock, parameters):
    p = {
        'OwnNumber': '+15550000001',
        'Imsi': '310150000000001',
        'OperatorIdentifier': '310150',
        'OperatorName': 'OpenMMSC test network',
        'Apn': 'mms.test',
        'Interface': 'lo',
        'Dns': '127.0.0.1',
    }
    p.update({k: str(v) for k, v in parameters.items()})
    mock.sms_counter = 0
    mock.pending_parts = {}

    mock.AddProperties(MAIN_IFACE, {'Version': _s('1.20.4')})
    mock.AddMethods(MAIN_IFACE, [
        ('ScanDevices', '', '', ''),
        ('SetLogging', 's', '', ''),
    ])
    # Like ModemManager, the object manager lists modems only (SIM, bearer and SMS objects are
    # reachable by path but not managed objects).
    mock.AddMethod(OBJECT_MANAGER_IFACE, 'GetManagedObjects', '', 'a{oa{sa{sv}}}',
                   'ret = {dbus.ObjectPath(k): objects[k].props for k in objects if "/Modem/" in k}')

    mock.AddObject(SIM_PATH, SIM_IFACE, {
        'Active': _b(True),
        'SimIdentifier': _s('8901000000000000001'),
        'Imsi': _s(p['Imsi']),
        'Eid': _s(''),
        'OperatorIdentifier': _s(p['OperatorIdentifier']),
        'OperatorName': _s(p['OperatorName']),
        'EmergencyNumbers': _as(['112', '911']),
    }, [])

    mock.AddObject(BEARER_PATH, BEARER_IFACE, {
        'Interface': _s(p['Interface']),
        'Connected': _b(True),
        'ConnectionError': dbus.Struct(('', ''), signature='ss', variant_level=1),
        'Suspended': _b(False),
        'Multiplexed': _b(False),
        'Ip4Config': _dict({
            'method': dbus.UInt32(MM_BEARER_IP_METHOD_STATIC),
            'address': dbus.String('127.0.0.1'),
            'prefix': dbus.UInt32(8),
            'gateway': dbus.String('127.0.0.1'),
            'dns1': dbus.String(p['Dns']),
            'mtu': dbus.UInt32(1500),
        }),
        'Ip6Config': _dict({'method': dbus.UInt32(0)}),
        'Stats': _dict({}),
        'IpTimeout': _u(20),
        'BearerType': _u(MM_BEARER_TYPE_DEFAULT),
        'ProfileId': _i(-1),
        'Properties': _dict({'apn': dbus.String(p['Apn']), 'ip-type': dbus.UInt32(MM_BEARER_IP_FAMILY_IPV4)}),
    }, [
        ('Connect', '', '', ''),
        ('Disconnect', '', '', ''),
    ])

    mock.AddObject(MODEM_PATH, MODEM_IFACE, {
        'Sim': _o(SIM_PATH),
        'SimSlots': _ao([SIM_PATH]),
        'PrimarySimSlot': _u(1),
        'Bearers': _ao([BEARER_PATH]),
        'SupportedCapabilities': dbus.Array([dbus.UInt32(MM_MODEM_CAPABILITY_GSM_UMTS_LTE)], signature='u', variant_level=1),
        'CurrentCapabilities': _u(MM_MODEM_CAPABILITY_GSM_UMTS_LTE),
        'MaxBearers': _u(1),
        'MaxActiveBearers': _u(1),
        'MaxActiveMultiplexedBearers': _u(0),
        'Manufacturer': _s('OpenMMSC'),
        'Model': _s('ModemManager mock'),
        'Revision': _s('1'),
        'HardwareRevision': _s('1'),
        'CarrierConfiguration': _s(''),
        'CarrierConfigurationRevision': _s(''),
        'DeviceIdentifier': _s('openmmsc-mock-modem-0'),
        'Device': _s('/sys/devices/virtual/openmmsc-mock'),
        'Physdev': _s('/sys/devices/virtual/openmmsc-mock'),
        'Drivers': _as(['mock']),
        'Plugin': _s('generic'),
        'PrimaryPort': _s('mock0'),
        'Ports': dbus.Array([dbus.Struct(('mock0', dbus.UInt32(3)), signature='su')], signature='(su)', variant_level=1),
        'EquipmentIdentifier': _s('350000000000001'),
        'UnlockRequired': _u(MM_MODEM_LOCK_NONE),
        'UnlockRetries': dbus.Dictionary({}, signature='uu', variant_level=1),
        'State': _i(MM_MODEM_STATE_CONNECTED),
        'StateFailedReason': _u(0),
        'AccessTechnologies': _u(MM_MODEM_ACCESS_TECHNOLOGY_LTE),
        'SignalQuality': dbus.Struct((dbus.UInt32(80), True), signature='ub', variant_level=1),
        'OwnNumbers': _as([p['OwnNumber']]),
        'PowerState': _u(MM_MODEM_POWER_STATE_ON),
        'SupportedModes': dbus.Array([dbus.Struct((dbus.UInt32(8), dbus.UInt32(8)), signature='uu')], signature='(uu)', variant_level=1),
        'CurrentModes': dbus.Struct((dbus.UInt32(8), dbus.UInt32(8)), signature='uu', variant_level=1),
        'SupportedBands': dbus.Array([], signature='u', variant_level=1),
        'CurrentBands': dbus.Array([], signature='u', variant_level=1),
        'SupportedIpFamilies': _u(7),
    }, [
        ('Enable', 'b', '', ''),
        ('ListBearers', '', 'ao', f'ret = [dbus.ObjectPath("{BEARER_PATH}")]'),
        ('CreateBearer', 'a{sv}', 'o', NOT_SUPPORTED),
        ('DeleteBearer', 'o', '', NOT_SUPPORTED),
        ('Reset', '', '', NOT_SUPPORTED),
        ('SetPowerState', 'u', '', ''),
    ])
    modem = objects[MODEM_PATH]
    modem.AddProperties(MESSAGING_IFACE, {
        'Messages': _ao([]),
        'SupportedStorages': dbus.Array([dbus.UInt32(MM_SMS_STORAGE_ME)], signature='u', variant_level=1),
        'DefaultStorage': _u(MM_SMS_STORAGE_ME),
    })
    modem.AddMethods(MESSAGING_IFACE, [
        ('List', '', 'ao', f'ret = self.props["{MESSAGING_IFACE}"]["Messages"]'),
        ('Delete', 'o', '', 'self.mock_delete_sms(args[0])'),
        ('Create', 'a{sv}', 'o', NOT_SUPPORTED),
    ])
    modem.mock_delete_sms = lambda path: _delete_sms(modem, path)


def _delete_sms(modem, path):
    path = str(path)
    listed = [str(m) for m in modem.props[MESSAGING_IFACE]['Messages']]
    if path not in listed:
        raise dbus.exceptions.DBusException(f'no SMS {path}', name='org.freedesktop.ModemManager1.Error.Core.NotFound')
    listed.remove(path)
    modem.UpdateProperties(MESSAGING_IFACE, {'Messages': _ao(listed)})
    modem.EmitSignal(MESSAGING_IFACE, 'Deleted', 'o', [dbus.ObjectPath(path)])
    modem.RemoveObject(path)


def _parse_udh(ud):
    '''(concatenation key or None, total, sequence, payload) of one TP-User-Data with a UDH.'''
    udhl = ud[0]
    if udhl + 1 > len(ud):
        raise dbus.exceptions.DBusException('UDH longer than the user data', name='org.freedesktop.DBus.Mock.InvalidArgs')
    ies, payload = ud[1:1 + udhl], ud[1 + udhl:]
    concat = None
    i = 0
    while i + 2 <= len(ies):
        iei, length = ies[i], ies[i + 1]
        value = ies[i + 2:i + 2 + length]
        if iei == 0x00 and length == 3:
            concat = (value[0], value[1], value[2])
        elif iei == 0x08 and length == 4:
            concat = ((value[0] << 8) | value[1], value[2], value[3])
        i += 2 + length
    return concat, payload


@dbus.service.method(MOCK_IFACE, in_signature='sayb', out_signature='s')
def DeliverSms(self, number, user_data, udhi):
    '''The radio delivered an SMS-DELIVER from `number` with 8-bit TP-User-Data `user_data`
    (starting with a UDH when `udhi`). Returns the new SMS object path once a message is
    complete, '' while parts of a concatenated message are still missing.'''
    ud = bytes(user_data)
    payload = ud
    if udhi:
        concat, payload = _parse_udh(ud)
        if concat is not None:
            ref, total, seq = concat
            key = (str(number), ref, total)
            parts = self.pending_parts.setdefault(key, {})
            parts[seq] = payload
            if len(parts) < total:
                return ''
            del self.pending_parts[key]
            payload = b''.join(parts[n] for n in sorted(parts))
    return _add_received_sms(self, str(number), payload)


def _add_received_sms(main, number, data):
    path = f'{MAIN_OBJ}/SMS/{main.sms_counter}'
    main.sms_counter += 1
    main.AddObject(path, SMS_IFACE, {
        'State': _u(MM_SMS_STATE_RECEIVED),
        'PduType': _u(MM_SMS_PDU_TYPE_DELIVER),
        'Number': _s(number),
        'Text': _s(''),
        'Data': dbus.Array([dbus.Byte(b) for b in data], signature='y', variant_level=1),
        'SMSC': _s('+15559999999'),
        'Validity': dbus.Struct((dbus.UInt32(0), dbus.UInt32(0, variant_level=1)), signature='uv', variant_level=1),
        'Class': _i(-1),
        'TeleserviceId': _u(0),
        'ServiceCategory': _u(0),
        'DeliveryReportRequest': _b(False),
        'MessageReference': _u(0),
        'Timestamp': _s(datetime.now(timezone.utc).isoformat(timespec='seconds')),
        'DischargeTimestamp': _s(''),
        'DeliveryState': _u(0),
        'Storage': _u(MM_SMS_STORAGE_ME),
    }, [
        ('Send', '', '', NOT_SUPPORTED),
        ('Store', 'u', '', NOT_SUPPORTED),
    ])
    modem = objects[MODEM_PATH]
    listed = [str(m) for m in modem.props[MESSAGING_IFACE]['Messages']] + [path]
    # The property first, then the signal: libmm-glib lists SMS from the cached property.
    modem.UpdateProperties(MESSAGING_IFACE, {'Messages': _ao(listed)})
    modem.EmitSignal(MESSAGING_IFACE, 'Added', 'ob', [dbus.ObjectPath(path), True])
    return path
