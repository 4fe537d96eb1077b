import { useRef } from 'react';
import { Modal, type ModalProps } from 'antd';

const FOCUSABLE = 'input:not([disabled]):not([type="hidden"]):not([type="checkbox"]), textarea:not([disabled])';

/**
 * A Modal that moves keyboard focus into its first field once it has opened (antd
 * focuses the dialog itself, which defeats autoFocus), so a form in it can be filled
 * and submitted with the keyboard alone. Escape closes it; focus returns to the opener.
 */
export function FormModal({ children, afterOpenChange, ...props }: ModalProps) {
  const body = useRef<HTMLDivElement>(null);
  return (
    <Modal
      {...props}
      afterOpenChange={(open) => {
        if (open) body.current?.querySelector<HTMLElement>(FOCUSABLE)?.focus();
        afterOpenChange?.(open);
      }}
    >
      <div ref={body}>{children}</div>
    </Modal>
  );
}
