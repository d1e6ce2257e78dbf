/** Characters as the server counts them: code points, so an emoji is one. */
export const characters = (text: string): number => [...text].length;
