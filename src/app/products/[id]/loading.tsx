export default function Loading() {
  return (
    <main id="main" aria-busy="true">
      <p className="visually-hidden" role="status">
        Loading product…
      </p>
      <div className="product">
        <div className="skeleton" style={{ aspectRatio: "4 / 3" }} />
        <div>
          <div className="skeleton line" style={{ width: "70%", height: "2rem" }} />
          <div className="skeleton line" style={{ width: "30%" }} />
          <div className="skeleton line" style={{ width: "25%", height: "2rem" }} />
          <div className="skeleton block" />
        </div>
      </div>
    </main>
  );
}
