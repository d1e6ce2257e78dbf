/**
 * A button that opens the file picker for pictures (a real button, so keyboards and screen
 * readers reach it; the file input it drives stays hidden).
 */
import { useRef } from 'preact/hooks';

interface PictureFileButtonProps {
  label: string;
  /** Whether several pictures may be picked at once. */
  multiple?: boolean;
  disabled?: boolean;
  onPick: (files: File[]) => void;
}

export function PictureFileButton({ label, multiple = false, disabled = false, onPick }: PictureFileButtonProps) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" disabled={disabled} onClick={() => input.current?.click()}>
        {label}
      </button>
      <input
        ref={input}
        type="file"
        accept="image/*"
        multiple={multiple}
        hidden
        onChange={(event) => {
          const files = [...(event.currentTarget.files ?? [])];
          // Emptied, so that picking the same file again is a change too.
          event.currentTarget.value = '';
          if (files.length > 0) onPick(files);
        }}
      />
    </>
  );
}
