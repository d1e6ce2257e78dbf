export function NotFoundPage() {
  return (
    <>
      <h1>Not found</h1>
      <p>
        There is nothing here. <a href="/">Go home</a>
      </p>
    </>
  );
}
