# Generates botocore.json: requests signed by botocore (the AWS CLI's
# signer), for sig's tests. Run with a python3 that has botocore:
#   python3 gen_botocore.py > botocore.json
import json, base64, hashlib
import botocore, botocore.auth, botocore.awsrequest, botocore.credentials
from urllib.parse import urlsplit

creds = botocore.credentials.Credentials('AKIDEXAMPLE', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY')
host = 'localhost:8081'
out = []

def raw(req):
    u = urlsplit(req.url)
    target = u.path + ('?' + u.query if u.query else '')
    lines = ['%s %s HTTP/1.1' % (req.method, target), 'Host: %s' % host]
    for k, v in req.headers.items():
        if k.lower() == 'host':
            continue
        lines.append('%s: %s' % (k, v.decode() if isinstance(v, bytes) else v))
    body = req.body or b''
    if isinstance(body, str):
        body = body.encode()
    if body and 'Content-Length' not in req.headers:
        lines.append('Content-Length: %d' % len(body))
    return ('\r\n'.join(lines) + '\r\n\r\n').encode() + body

def add(name, method, path, headers=None, body=b'', kind='v4', payload=None, expires=3600):
    req = botocore.awsrequest.AWSRequest(method=method, url='http://' + host + path, headers=headers or {}, data=body)
    if kind == 'v4':
        if payload is not None:
            req.headers['X-Amz-Content-SHA256'] = payload
        botocore.auth.S3SigV4Auth(creds, 's3', 'RegionOne').add_auth(req)
    elif kind == 'v4query':
        botocore.auth.S3SigV4QueryAuth(creds, 's3', 'RegionOne', expires=expires).add_auth(req)
    elif kind == 'v2':
        botocore.auth.HmacV1Auth(creds).add_auth(req)
    elif kind == 'v2query':
        botocore.auth.HmacV1QueryAuth(creds, expires=expires).add_auth(req)
    p = req.prepare()
    out.append({'name': name, 'kind': kind, 'raw': base64.b64encode(raw(p)).decode()})

add('list buckets', 'GET', '/')
add('put object', 'PUT', '/bucket/key.txt', {'Content-Type': 'text/plain', 'x-amz-meta-color': 'blue'}, b'hello world')
add('list v2', 'GET', '/bucket?list-type=2&prefix=a%20b&delimiter=%2F&encoding-type=url')
add('odd key', 'PUT', '/bucket/dir/a%20b%2Bc~d%25e%C3%A9.txt', {}, b'x' * 100)
add('unsigned payload', 'PUT', '/bucket/u', {}, b'data', payload='UNSIGNED-PAYLOAD')
add('multipart upload part', 'PUT', '/bucket/big?partNumber=2&uploadId=abc-123', {}, b'p' * 10)
add('delete objects', 'POST', '/bucket?delete', {'Content-MD5': base64.b64encode(hashlib.md5(b'<Delete/>').digest()).decode()}, b'<Delete/>')
add('copy', 'PUT', '/bucket/dst', {'x-amz-copy-source': '/bucket/src', 'x-amz-metadata-directive': 'REPLACE'})
add('presigned get', 'GET', '/bucket/key.txt', kind='v4query')
add('presigned get with override', 'GET', '/bucket/key.txt?response-content-type=text%2Fhtml', kind='v4query')
add('v2 get', 'GET', '/bucket/key.txt', kind='v2')
add('v2 put acl', 'PUT', '/bucket?acl', {'x-amz-acl': 'public-read', 'Content-Type': 'text/xml'}, b'', kind='v2')
add('v2 presigned', 'GET', '/bucket/key%20x.txt', kind='v2query')
print(json.dumps({'secret': creds.secret_key, 'access': creds.access_key, 'botocore': botocore.__version__, 'requests': out}, indent=1))
