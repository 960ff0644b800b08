// The storefront's entry: routes to pages, inside the shared shop state.
import { render } from 'preact';
import { LocationProvider, Route, Router } from 'preact-iso';
import { ShopProvider } from './shop';
import { Home } from './pages/Home';
import { Category } from './pages/Category';
import { Search } from './pages/Search';
import { Product } from './pages/Product';
import { Cart } from './pages/Cart';
import { Layout } from './components/Layout';
import { Notice } from './components/Notice';
import './style.css';

function NotFound() {
  return (
    <Layout>
      <Notice kind="info">
        There is no page here. <a href="/">Back to the shop</a>
      </Notice>
    </Layout>
  );
}

function App() {
  return (
    <LocationProvider>
      <ShopProvider>
        <Router>
          <Route path="/" component={Home} />
          <Route path="/c/:slug" component={Category} />
          <Route path="/search" component={Search} />
          <Route path="/p/:id" component={Product} />
          <Route path="/cart" component={Cart} />
          <Route default component={NotFound} />
        </Router>
      </ShopProvider>
    </LocationProvider>
  );
}

render(<App />, document.getElementById('app')!);
