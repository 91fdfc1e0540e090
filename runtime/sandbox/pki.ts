// The sandbox's certificates come from the transport layer's test PKI (made on first use in
// the data directory): it decrypts with the receiver's encryption certificate and registers the
// sender's signing certificate for the default sender HER-id.
import { unseal } from '../transport/cms/index.ts';
import { ensureTestPki, type TestPki } from '../transport/pki/index.ts';
import type { PayloadOpener } from './kpr-api.ts';

export interface SandboxPki {
  dir: string;
  /** What the sandbox decrypts with; senders encrypt for `receiver.certPem`. */
  receiver: { certPem: string; keyPem: string };
  /** A signing certificate and key a local sender can use; registered for the default sender. */
  sender: { certPem: string; keyPem: string };
  test: TestPki;
}

export async function ensureSandboxPki(dir: string): Promise<SandboxPki> {
  const test = await ensureTestPki(dir);
  return {
    dir,
    receiver: { certPem: test.receiverEncryption.certPem, keyPem: test.receiverEncryption.keyPem },
    sender: { certPem: test.senderSigning.certPem, keyPem: test.senderSigning.keyPem },
    test,
  };
}

export function payloadOpener(pki: SandboxPki): PayloadOpener {
  return (der) => unseal(der, { recipient: pki.receiver });
}
