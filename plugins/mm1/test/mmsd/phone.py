'''The phone's user side for the mmsd-tng test: a D-Bus client of mmsd-tng and of the ModemManager mock.

Speaks JSON lines. Reads commands on stdin:
  {"id": 1, "op": "send", "recipients": ["+1555..."], "options": {"DeliveryReport": true,
   "Subject": "hi"}, "attachments": [["cid", "text/plain", "/path"]]}     -> org.ofono.mms.Service.SendMessage
  {"id": 2, "op": "messages"}                                              -> org.ofono.mms.Service.GetMessages
  {"id": 3, "op": "sms", "number": "+1555...", "userData": "<hex>", "udhi": true}
                                                                           -> the mock's DeliverSms
Writes replies ({"id": 1, "result": ...} or {"id": 1, "error": "..."}) and events:
  {"event": "modemmanager"}                       the ModemManager mock owns its name
  {"event": "service", "path": "/org/ofono/mms/modemmanager"}   mmsd-tng's service is up
  {"event": "MessageAdded", "path": ..., "properties": {...}}
  {"event": "PropertyChanged", "path": ..., "name": "status", "value": "sent"}
  {"event": "MessageSendError" | "MessageReceiveError" | "MessageRemoved", ...}
Message attachments come as [id, content type, base64 of the bytes] (mmsd-tng gives file,
offset, length; the bytes are read here).

Usage: phone.py <session bus address> <system bus address>
'''

import base64
import json
import os
import sys

import dbus
import dbus.mainloop.glib
from gi.repository import GLib

MMS_NAME = 'org.ofono.mms'
MMS_SERVICE = 'org.ofono.mms.Service'
MMS_MANAGER = 'org.ofono.mms.Manager'
MM_NAME = 'org.freedesktop.ModemManager1'
MOCK_IFACE = 'org.freedesktop.DBus.Mock'


def emit(obj):
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()


def plain(v):
    '''dbus-python values to JSON-able ones.'''
    if isinstance(v, dbus.Boolean):
        return bool(v)
    if isinstance(v, (dbus.Byte, dbus.Int16, dbus.Int32, dbus.Int64, dbus.UInt16, dbus.UInt32, dbus.UInt64)):
        return int(v)
    if isinstance(v, dbus.Double):
        return float(v)
    if isinstance(v, (dbus.String, dbus.ObjectPath, dbus.Signature)):
        return str(v)
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return v


def message_properties(props):
    out = plain(props)
    attachments = []
    for a in out.get('Attachments', []):
        # (id, content type, file, offset, length)
        cid, ctype, path, offset, length = a
        try:
            with open(path, 'rb') as f:
                f.seek(offset)
                data = f.read(length)
            attachments.append([cid, ctype, base64.b64encode(data).decode()])
        except OSError as e:
            attachments.append([cid, ctype, None, str(e)])
    if 'Attachments' in out:
        out['Attachments'] = attachments
    return out


class Phone:
    def __init__(self, session_address, system_address):
        self.session = dbus.bus.BusConnection(session_address)
        self.system = dbus.bus.BusConnection(system_address)
        self.service_path = None
        self.session.add_signal_receiver(self.on_signal, sender_keyword='sender', path_keyword='path',
                                         member_keyword='member', interface_keyword='interface',
                                         byte_arrays=False)
        self.session.watch_name_owner(MMS_NAME, self.on_mms_owner)
        self.mm_seen = False
        self.system.watch_name_owner(MM_NAME, self.on_mm_owner)

    def on_mm_owner(self, owner):
        if owner and not self.mm_seen:
            self.mm_seen = True
            emit({'event': 'modemmanager'})

    def on_mms_owner(self, owner):
        if not owner:
            return
        manager = self.session.get_object(MMS_NAME, '/org/ofono/mms')
        manager.GetServices(dbus_interface=MMS_MANAGER,
                            reply_handler=lambda services: [self.service_found(str(p)) for p, _ in services],
                            error_handler=lambda e: emit({'event': 'error', 'where': 'GetServices', 'error': str(e)}))

    def service_found(self, path):
        if self.service_path is None:
            self.service_path = path
            emit({'event': 'service', 'path': path})

    def on_signal(self, *args, **kw):
        member, interface, path = kw.get('member'), kw.get('interface'), kw.get('path')
        if interface == MMS_MANAGER and member == 'ServiceAdded':
            self.service_found(str(args[0]))
        elif interface == MMS_SERVICE and member == 'MessageAdded':
            emit({'event': 'MessageAdded', 'path': str(args[0]), 'properties': message_properties(args[1])})
        elif interface == MMS_SERVICE and member in ('MessageSendError', 'MessageReceiveError'):
            emit({'event': member, 'path': path, 'properties': plain(args[0])})
        elif interface == MMS_SERVICE and member == 'MessageRemoved':
            emit({'event': member, 'path': str(args[0])})
        elif interface == 'org.ofono.mms.Message' and member == 'PropertyChanged':
            emit({'event': 'PropertyChanged', 'path': path, 'name': str(args[0]), 'value': plain(args[1])})

    def command(self, line):
        try:
            cmd = json.loads(line)
        except ValueError as e:
            emit({'event': 'error', 'where': 'stdin', 'error': str(e)})
            return True
        cid = cmd.get('id')

        def ok(result=None):
            emit({'id': cid, 'result': result})

        def fail(e):
            emit({'id': cid, 'error': str(e)})

        op = cmd.get('op')
        try:
            if op == 'send':
                options = dbus.Dictionary({}, signature='sv')
                for k, v in cmd.get('options', {}).items():
                    options[k] = dbus.Boolean(v) if isinstance(v, bool) else dbus.String(v)
                attachments = dbus.Array([dbus.Struct(tuple(a), signature='sss') for a in cmd['attachments']], signature='(sss)')
                self.mms().SendMessage(dbus.Array(cmd['recipients'], signature='s'), dbus.Dictionary(options, signature='sv', variant_level=1),
                                       attachments, dbus_interface=MMS_SERVICE,
                                       reply_handler=lambda path: ok(str(path)), error_handler=fail)
            elif op == 'messages':
                self.mms().GetMessages(dbus_interface=MMS_SERVICE,
                                       reply_handler=lambda msgs: ok([[str(p), message_properties(props)] for p, props in msgs]),
                                       error_handler=fail)
            elif op == 'sms':
                mock = self.system.get_object(MM_NAME, '/org/freedesktop/ModemManager1')
                data = dbus.Array([dbus.Byte(b) for b in bytes.fromhex(cmd['userData'])], signature='y')
                mock.DeliverSms(cmd['number'], data, bool(cmd.get('udhi', True)), dbus_interface=MOCK_IFACE,
                                reply_handler=lambda path: ok(str(path)), error_handler=fail)
            elif op == 'quit':
                return False
            else:
                fail(f'unknown op {op}')
        except Exception as e:  # pylint: disable=broad-except
            fail(e)
        return True

    def mms(self):
        if not self.service_path:
            raise RuntimeError('mmsd-tng has no service yet')
        return self.session.get_object(MMS_NAME, self.service_path)


def main():
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    phone = Phone(sys.argv[1], sys.argv[2])
    loop = GLib.MainLoop()

    pending = b''

    def on_stdin(fd, _condition):
        # Raw reads: a buffered readline() would keep a second line where the watch never sees it.
        nonlocal pending
        chunk = os.read(fd, 65536)
        if not chunk:
            loop.quit()
            return False
        pending += chunk
        *lines, pending = pending.split(b'\n')
        for line in lines:
            if line.strip() and not phone.command(line.decode()):
                loop.quit()
                return False
        return True

    GLib.io_add_watch(sys.stdin.fileno(), GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP, on_stdin)
    loop.run()


if __name__ == '__main__':
    main()
