// Plain DOM stand-ins for @tarojs/components in the app tests (jsdom).
import type { ReactNode } from 'react';
import { tapPrivacyAgreeButton } from './taro';

interface Common {
  className?: string;
  children?: ReactNode;
  onClick?: (e: unknown) => void;
  style?: Record<string, string | number>;
}

export function View({ className, children, onClick, style }: Common) {
  return (
    <div className={className} onClick={onClick} style={style}>
      {children}
    </div>
  );
}

export function Text({ className, children, onClick }: Common) {
  return (
    <span className={className} onClick={onClick}>
      {children}
    </span>
  );
}

interface ButtonProps extends Common {
  disabled?: boolean;
  loading?: boolean;
  id?: string;
  openType?: string;
  onAgreePrivacyAuthorization?: (e: unknown) => void;
}

/**
 * open-type agreePrivacyAuthorization as WeChat has it: the tap itself records the user's agreement to
 * the privacy guide (tapPrivacyAgreeButton in the Taro stand-in), then onAgreePrivacyAuthorization fires.
 */
export function Button({ className, children, onClick, disabled, loading, id, openType, onAgreePrivacyAuthorization }: ButtonProps) {
  const agrees = openType?.split('|').includes('agreePrivacyAuthorization') ?? false;
  const tap = (e: unknown) => {
    onClick?.(e);
    if (agrees) {
      tapPrivacyAgreeButton(id ?? '');
      onAgreePrivacyAuthorization?.({ type: 'agreeprivacyauthorization', detail: {}, currentTarget: { id } });
    }
  };
  return (
    <button
      type='button'
      id={id}
      className={className}
      onClick={disabled ? undefined : tap}
      disabled={disabled}
      data-loading={loading ? 'true' : undefined}
      data-open-type={openType}
    >
      {children}
    </button>
  );
}

interface InputProps {
  className?: string;
  value?: string;
  placeholder?: string;
  password?: boolean;
  type?: string;
  disabled?: boolean;
  onInput?: (e: { detail: { value: string } }) => void;
  onConfirm?: (e: { detail: { value: string } }) => void;
}

export function Input({ className, value, placeholder, password, type, disabled, onInput, onConfirm }: InputProps) {
  return (
    <input
      className={className}
      value={value ?? ''}
      placeholder={placeholder}
      type={password ? 'password' : type === 'number' || type === 'digit' ? 'text' : 'text'}
      disabled={disabled}
      onChange={(e) => onInput?.({ detail: { value: e.target.value } })}
      onKeyDown={(e) => {
        if (e.key === 'Enter') onConfirm?.({ detail: { value: (e.target as HTMLInputElement).value } });
      }}
    />
  );
}

interface PickerProps extends Common {
  mode?: string;
  range?: unknown[];
  value?: number;
  onChange?: (e: { detail: { value: number | string } }) => void;
}

/** Renders its children plus a hidden <select> so tests can pick a value. */
export function Picker({ className, children, range = [], value, onChange }: PickerProps) {
  return (
    <div className={className}>
      {children}
      <select
        aria-label='picker'
        value={value}
        onChange={(e) => onChange?.({ detail: { value: Number(e.target.value) } })}
      >
        {range.map((r, i) => (
          <option key={i} value={i}>
            {String(r)}
          </option>
        ))}
      </select>
    </div>
  );
}

export function ScrollView({ className, children, style }: Common & Record<string, unknown>) {
  return (
    <div className={className} style={style}>
      {children}
    </div>
  );
}

export function Image({ className, src, onClick }: Common & { src?: string; mode?: string }) {
  return <img className={className} src={src} onClick={onClick} alt='' />;
}

/** Taro's RichText takes sanitised HTML as `nodes`; jsdom renders the same string. */
export function RichText({ className, nodes }: { className?: string; nodes?: string | unknown[] }) {
  return <div className={className} data-testid='rich-text' dangerouslySetInnerHTML={{ __html: typeof nodes === 'string' ? nodes : '' }} />;
}

export function Textarea({ className, value, placeholder, maxlength, onInput }: InputProps & { maxlength?: number; autoHeight?: boolean }) {
  return (
    <textarea
      className={className}
      value={value ?? ''}
      placeholder={placeholder}
      maxLength={maxlength}
      onChange={(e) => onInput?.({ detail: { value: e.target.value } })}
    />
  );
}

export function Switch({ className, checked, onChange }: { className?: string; checked?: boolean; onChange?: (e: { detail: { value: boolean } }) => void }) {
  return <input type='checkbox' role='switch' className={className} checked={!!checked} onChange={(e) => onChange?.({ detail: { value: e.target.checked } })} />;
}

/** A canvas (type 2d) as the page sees it; the drawing itself is WeChat's or the browser's. */
export function Canvas({ className, id }: { className?: string; id?: string; type?: string; canvasId?: string }) {
  return <canvas className={className} id={id} aria-hidden='true' />;
}
