/**
 * Every GraphQL document the app sends. graphql-codegen reads this file and types
 * each document against schema/schema.graphql. What several documents select
 * alike is a fragment, so that they cannot drift apart.
 *
 * The server prices each operation by the page sizes it asks for (a variable `first`
 * at the value sent) against a per-minute budget: ask for the pages you show.
 */
import { graphql } from "../gql";

/** What a list shows of an asset beside something else (an order, an alert). */
export const AssetBriefFragment = graphql(`
  fragment AssetBrief on Asset {
    symbol
    name
    imageUrl
    price
  }
`);

export const AssetSummaryFragment = graphql(`
  fragment AssetSummary on Asset {
    ...AssetBrief
    category
    isTradable
    priceUpdatedAt
    priceChange24h
    priceChange7d
    marketCap
    marketCapRank
    volume24h
  }
`);

/** What a live price tick writes into the cached Asset. */
export const LivePriceFragment = graphql(`
  fragment LivePrice on Asset {
    symbol
    price
    priceChange24h
    priceUpdatedAt
  }
`);

export const OrderFieldsFragment = graphql(`
  fragment OrderFields on Order {
    id
    clientOrderId
    side
    type
    status
    quantity
    limitPrice
    stopPrice
    timeInForce
    expiresAt
    triggeredAt
    expiredAt
    executedPrice
    total
    createdAt
    filledAt
    cancelledAt
    asset { ...AssetBrief }
  }
`);

export const BalanceFieldsFragment = graphql(`
  fragment BalanceFields on Balance {
    cash
    available
    updatedAt
  }
`);

export const UserErrorFieldsFragment = graphql(`
  fragment UserErrorFields on UserError {
    code
    field
    message
  }
`);

export const CashMovementResultFragment = graphql(`
  fragment CashMovementResult on BalancePayload {
    balance { ...BalanceFields }
    transaction {
      id
      type
      amount
      balanceAfter
      createdAt
    }
    errors { ...UserErrorFields }
  }
`);

export const UserProfileFragment = graphql(`
  fragment UserProfile on User {
    id
    username
    email
    firstName
    lastName
    phone
    dateOfBirth
    marketingEmailsConsent
    createdAt
    updatedAt
  }
`);

export const PositionFieldsFragment = graphql(`
  fragment PositionFields on Position {
    quantity
    available
    averageCost
    marketValue
    unrealizedPnl
    allocation
    asset {
      ...AssetBrief
      priceChange24h
    }
  }
`);

/** Enough to ask for the page after this one. */
export const NextPageFragment = graphql(`
  fragment NextPage on PageInfo {
    hasNextPage
    endCursor
  }
`);

/** What the dashboard and the portfolio page show of a portfolio. */
export const PortfolioValueFragment = graphql(`
  fragment PortfolioValue on Portfolio {
    cash
    positionsValue
    totalValue
    asOf
    positions { ...PositionFields }
  }
`);

/** What registering and signing in answer alike. */
export const AuthResultFragment = graphql(`
  fragment AuthResult on AuthPayload {
    token
    expiresAt
    user { ...UserProfile }
    errors { ...UserErrorFields }
  }
`);

/** What placing and cancelling an order answer alike. */
export const OrderResultFragment = graphql(`
  fragment OrderResult on OrderPayload {
    order { ...OrderFields }
    errors { ...UserErrorFields }
  }
`);

// ------------------------------------------------------------------ queries

export const ViewerQuery = graphql(`
  query Viewer {
    me {
      ...UserProfile
      balance { ...BalanceFields }
    }
  }
`);

export const TopAssetsQuery = graphql(`
  query TopAssets {
    assets(first: 8) {
      edges {
        node { ...AssetSummary }
      }
    }
  }
`);

export const AssetsQuery = graphql(`
  query Assets($after: String, $search: String, $orderBy: AssetOrder, $tradableOnly: Boolean) {
    assets(first: 20, after: $after, search: $search, orderBy: $orderBy, tradableOnly: $tradableOnly) {
      totalCount
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        cursor
        node { ...AssetSummary }
      }
    }
  }
`);

export const AssetDetailQuery = graphql(`
  query AssetDetail($symbol: String!) {
    asset(symbol: $symbol) {
      ...AssetSummary
      description
      priceChange30d
      high24h
      low24h
      circulatingSupply
      totalSupply
      maxSupply
      allTimeHigh
      allTimeHighAt
      allTimeLow
      allTimeLowAt
    }
  }
`);

export const PriceHistoryQuery = graphql(`
  query PriceHistory($symbol: String!, $since: DateTime) {
    asset(symbol: $symbol) {
      symbol
      priceHistory(since: $since, limit: 200) {
        price
        at
      }
    }
  }
`);

export const TradableAssetsQuery = graphql(`
  query TradableAssets {
    assets(first: 100, tradableOnly: true, orderBy: MARKET_CAP_RANK) {
      edges {
        node {
          ...AssetBrief
          priceChange24h
          isTradable
        }
      }
    }
  }
`);

export const DashboardQuery = graphql(`
  query Dashboard {
    me {
      id
      username
      firstName
      balance { ...BalanceFields }
      portfolio { ...PortfolioValue }
      orders(first: 5) {
        edges {
          node { ...OrderFields }
        }
      }
    }
  }
`);

export const InsightsQuery = graphql(`
  query Insights {
    me {
      id
      insights {
        summary
        generatedAt
        model
        cached
      }
    }
  }
`);

export const TradeContextQuery = graphql(`
  query TradeContext {
    me {
      id
      balance { ...BalanceFields }
      limits { maxOrderValue }
      positions {
        quantity
        available
        asset { symbol }
      }
    }
  }
`);

export const OpenOrdersQuery = graphql(`
  query OpenOrders {
    me {
      id
      orders(first: 20, status: OPEN) {
        totalCount
        edges {
          node { ...OrderFields }
        }
      }
    }
  }
`);

export const OrderHistoryQuery = graphql(`
  query OrderHistory($after: String) {
    me {
      id
      orders(first: 10, after: $after) {
        totalCount
        pageInfo { ...NextPage }
        edges {
          node { ...OrderFields }
        }
      }
    }
  }
`);

export const PortfolioQuery = graphql(`
  query Portfolio {
    me {
      id
      portfolio { ...PortfolioValue }
    }
  }
`);

export const AssetTransactionsQuery = graphql(`
  query AssetTransactions($symbol: String, $after: String) {
    me {
      id
      assetTransactions(assetSymbol: $symbol, first: 10, after: $after) {
        totalCount
        pageInfo { ...NextPage }
        edges {
          node {
            id
            side
            quantity
            price
            total
            createdAt
            asset {
              symbol
              name
            }
            order {
              id
              type
            }
          }
        }
      }
    }
  }
`);

export const AccountQuery = graphql(`
  query Account {
    me {
      id
      balance { ...BalanceFields }
      limits {
        depositLimit
        depositedToday
        depositRemaining
        withdrawLimit
        withdrawnToday
        withdrawRemaining
        maxOrderValue
      }
    }
  }
`);

export const LedgerQuery = graphql(`
  query Ledger($after: String, $type: BalanceTransactionType) {
    me {
      id
      transactions(first: 10, after: $after, type: $type) {
        totalCount
        pageInfo { ...NextPage }
        edges {
          node {
            id
            type
            amount
            balanceAfter
            createdAt
            order {
              id
              side
              quantity
              asset { symbol }
            }
          }
        }
      }
    }
  }
`);

export const ProfileQuery = graphql(`
  query Profile {
    me { ...UserProfile }
  }
`);

// ---------------------------------------------------------------- mutations

export const RegisterMutation = graphql(`
  mutation Register($input: RegisterInput!) {
    register(input: $input) { ...AuthResult }
  }
`);

export const LoginMutation = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) { ...AuthResult }
  }
`);

export const LogoutMutation = graphql(`
  mutation Logout {
    logout {
      success
      errors { ...UserErrorFields }
    }
  }
`);

export const UpdateProfileMutation = graphql(`
  mutation UpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) {
      user { ...UserProfile }
      errors { ...UserErrorFields }
    }
  }
`);

export const ChangePasswordMutation = graphql(`
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input) {
      user {
        id
        username
      }
      errors { ...UserErrorFields }
    }
  }
`);

export const DepositMutation = graphql(`
  mutation Deposit($input: CashMovementInput!) {
    deposit(input: $input) { ...CashMovementResult }
  }
`);

export const WithdrawMutation = graphql(`
  mutation Withdraw($input: CashMovementInput!) {
    withdraw(input: $input) { ...CashMovementResult }
  }
`);

export const PlaceOrderMutation = graphql(`
  mutation PlaceOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) { ...OrderResult }
  }
`);

export const CancelOrderMutation = graphql(`
  mutation CancelOrder($id: ID!) {
    cancelOrder(id: $id) { ...OrderResult }
  }
`);

export const CancelAllOrdersMutation = graphql(`
  mutation CancelAllOrders($assetSymbol: String) {
    cancelAllOrders(assetSymbol: $assetSymbol) {
      orders { ...OrderFields }
      errors { ...UserErrorFields }
    }
  }
`);

export const ClaimRedPocketMutation = graphql(`
  mutation ClaimRedPocket($phrase: String!) {
    claimRedPocket(phrase: $phrase) {
      amount
      gotRedPocket
      balance { ...BalanceFields }
      errors { ...UserErrorFields }
    }
  }
`);

// ------------------------------------------------------------ subscriptions

/** One message per market tick, carrying every price of these symbols that changed. */
export const PriceTicksSubscription = graphql(`
  subscription PriceTicks($symbols: [String!]) {
    priceTicks(symbols: $symbols) {
      symbol
      price
      priceChange24h
      at
    }
  }
`);

export const OrderUpdatesSubscription = graphql(`
  subscription OrderUpdates {
    orderUpdates { ...OrderFields }
  }
`);

// ------------------------------------------------- alerts, watchlist, value history

export const PriceAlertFieldsFragment = graphql(`
  fragment PriceAlertFields on PriceAlert {
    id
    condition
    price
    status
    createdAt
    triggeredAt
    triggeredPrice
    asset { ...AssetBrief }
  }
`);

export const PriceAlertsQuery = graphql(`
  query PriceAlerts {
    me {
      id
      active: priceAlerts(status: ACTIVE) { ...PriceAlertFields }
      triggered: priceAlerts(status: TRIGGERED) { ...PriceAlertFields }
    }
  }
`);

export const CreatePriceAlertMutation = graphql(`
  mutation CreatePriceAlert($input: CreatePriceAlertInput!) {
    createPriceAlert(input: $input) {
      alert { ...PriceAlertFields }
      errors { ...UserErrorFields }
    }
  }
`);

export const DeletePriceAlertMutation = graphql(`
  mutation DeletePriceAlert($id: ID!) {
    deletePriceAlert(id: $id) {
      alert { id }
      errors { ...UserErrorFields }
    }
  }
`);

export const PortfolioHistoryQuery = graphql(`
  query PortfolioHistory($range: HistoryRange!) {
    me {
      id
      portfolioHistory(range: $range, points: 120) {
        at
        cash
        positionsValue
        totalValue
      }
    }
  }
`);

/** What following and unfollowing an asset answer alike: the whole list, in order. */
export const WatchlistResultFragment = graphql(`
  fragment WatchlistResult on WatchlistPayload {
    watchlist { ...AssetSummary }
    errors { ...UserErrorFields }
  }
`);

export const WatchlistQuery = graphql(`
  query Watchlist {
    me {
      id
      watchlist { ...AssetSummary }
    }
  }
`);

export const AddToWatchlistMutation = graphql(`
  mutation AddToWatchlist($symbol: String!) {
    addToWatchlist(assetSymbol: $symbol) { ...WatchlistResult }
  }
`);

export const RemoveFromWatchlistMutation = graphql(`
  mutation RemoveFromWatchlist($symbol: String!) {
    removeFromWatchlist(assetSymbol: $symbol) { ...WatchlistResult }
  }
`);

export const PriceAlertsSubscription = graphql(`
  subscription PriceAlertFired {
    priceAlerts { ...PriceAlertFields }
  }
`);
